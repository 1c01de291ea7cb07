/** The colour theme: follows the system unless the user picks light or dark (kept in localStorage). */
export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'vibe-theme';
const ORDER: ThemeChoice[] = ['system', 'light', 'dark'];

/** Theme choice applied as `data-theme` on <html>; app.html applies the stored one before first paint. */
export class Theme {
  choice = $state<ThemeChoice>('system');

  constructor() {
    if (typeof localStorage === 'undefined') return;
    const saved = localStorage.getItem(KEY);
    if (saved === 'light' || saved === 'dark') this.choice = saved;
  }

  /** Moves to the next choice: system → light → dark → system. */
  cycle(): void {
    this.set(ORDER[(ORDER.indexOf(this.choice) + 1) % ORDER.length]!);
  }

  /** Applies and remembers a choice. */
  set(choice: ThemeChoice): void {
    this.choice = choice;
    const root = document.documentElement;
    if (choice === 'system') {
      delete root.dataset.theme;
      localStorage.removeItem(KEY);
    } else {
      root.dataset.theme = choice;
      localStorage.setItem(KEY, choice);
    }
  }
}
