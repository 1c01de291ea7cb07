/** Compiles the message catalogue (see i18n.ts, compileMessages) and exits, whatever timers the SDK left behind. */
import { compile } from '@inlang/paraglide-js';
import { paraglideOptions, stampCompiled } from './i18n.ts';

await compile(paraglideOptions);
stampCompiled();
process.exit(0);
