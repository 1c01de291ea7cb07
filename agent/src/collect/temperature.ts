/** Temperatures from hwmon sensors, or thermal zones when there is no hwmon; none in most containers and VMs. */
import type { TemperatureReading, TemperatureStats } from '../sample.ts';
import type { Collector } from './collector.ts';
import { round } from './counters.ts';
import type { HostSource } from './source.ts';

function list(source: HostSource, dir: string): string[] {
  try {
    return source.listDir(dir);
  } catch {
    return [];
  }
}

function read(source: HostSource, file: string): string | null {
  try {
    return source.readText(file).trim();
  } catch {
    return null;
  }
}

/** Converts a sysfs millidegree value; null for unreadable or absurd values (disconnected sensors report e.g. -273 or 127000+). */
export function milliToCelsius(raw: string | null): number | null {
  if (raw === null || raw === '') return null;
  const c = Number(raw) / 1000;
  return Number.isFinite(c) && c > -40 && c < 150 ? round(c, 1) : null;
}

/** Reads `/sys/class/hwmon/hwmon* /temp*_input`, named "<chip> <label>" ("coretemp Core 0"). */
export function readHwmon(source: HostSource): TemperatureReading[] {
  const base = `${source.sysRoot}/class/hwmon`;
  const out: TemperatureReading[] = [];
  for (const hw of list(source, base).sort()) {
    const dir = `${base}/${hw}`;
    const chip = read(source, `${dir}/name`) ?? hw;
    for (const f of list(source, dir).sort()) {
      const m = /^temp(\d+)_input$/.exec(f);
      if (!m) continue;
      const celsius = milliToCelsius(read(source, `${dir}/${f}`));
      if (celsius === null) continue;
      const label = read(source, `${dir}/temp${m[1]}_label`) ?? `temp${m[1]}`;
      out.push({ sensor: `${chip} ${label}`, celsius });
    }
  }
  return out;
}

/** Reads `/sys/class/thermal/thermal_zone* /temp`, named by the zone's type ("x86_pkg_temp"). */
export function readThermalZones(source: HostSource): TemperatureReading[] {
  const base = `${source.sysRoot}/class/thermal`;
  const out: TemperatureReading[] = [];
  for (const zone of list(source, base).sort()) {
    if (!zone.startsWith('thermal_zone')) continue;
    const celsius = milliToCelsius(read(source, `${base}/${zone}/temp`));
    if (celsius === null) continue;
    out.push({ sensor: read(source, `${base}/${zone}/type`) ?? zone, celsius });
  }
  return out;
}

/** hwmon first (it has per-core detail); thermal zones only when hwmon has nothing, since they usually mirror the same sensors. */
export function temperatureStats(source: HostSource): TemperatureStats {
  let sensors = readHwmon(source);
  if (sensors.length === 0) sensors = readThermalZones(source);
  const maxCelsius = sensors.length ? Math.max(...sensors.map((s) => s.celsius)) : null;
  return { sensors, maxCelsius };
}

/** Collector for `temperatures`. */
export function temperatureCollector(): Collector {
  return { name: 'temperatures', collect: (source) => ({ temperatures: temperatureStats(source) }) };
}
