// One-click experiments: a button per preset, and the outcome the student should expect.
import { t } from "../i18n.js";

export class Presets {
  /** Buttons go into `container`, the expected outcome into `outcome`; `onPick(query)` starts one. */
  constructor(container, outcome, onPick) {
    this.container = container;
    this.outcome = outcome;
    this.onPick = onPick;
    this.chosen = "";
    /** @type {{id: string, query: string}[]} */
    this.list = [];
  }

  /** Shows the presets the trainer offers: `[{id, query}]`. */
  show(list) {
    this.list = list;
    this.container.replaceChildren(
      ...list.map(({ id, query }) => {
        const button = document.createElement("button");
        button.type = "button";
        button.dataset.preset = id;
        button.dataset.i18n = `preset.${id}`;
        button.textContent = t(`preset.${id}`);
        button.onclick = () => {
          this.chosen = id;
          this.refresh();
          this.onPick(query);
        };
        return button;
      }),
    );
  }

  /** Marks the preset whose settings `query` is when none was picked, such as the one a link
   * without settings opens, so that its outcome is said too. */
  recognise(query) {
    if (this.chosen) return;
    this.chosen = this.list.find((p) => p.query === query)?.id ?? "";
    this.refresh();
  }

  /** Re-applies translations to the outcome of the chosen preset. */
  refresh() {
    this.outcome.hidden = !this.chosen;
    this.outcome.textContent = this.chosen ? t(`preset.${this.chosen}.outcome`) : "";
    for (const b of this.container.children) b.classList.toggle("chosen", b.dataset.preset === this.chosen);
  }
}
