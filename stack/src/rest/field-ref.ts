/** The column-plus-JSON-path reference that the select, filter and order grammars share. */

/** One `->`/`->>` step of a JSON path. */
export interface JsonStep {
  arrow: '->' | '->>';
  key: string;
}

/** A column reference, optionally followed by a JSON path. */
export interface FieldRef {
  name: string;
  jsonPath: JsonStep[];
}
