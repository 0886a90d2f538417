// Confirmations beside the control that caused them ("Link copied" under Copy link, "Applied from
// step …" under the lab's control), so that a press is answered where the eye already is. One is
// shown at a time, in a slot (a `p.feedback` of index.html or of the lab) lined up under its
// control, with a caret pointing at it.

export class Feedback {
  constructor() {
    /** What is shown: its slot and control. @type {{slot: HTMLElement, anchor: HTMLElement} | null} */
    this.shown = null;
    // The slot's parent reflows with the window: keep the caret on its control.
    addEventListener("resize", () => { if (this.shown) this.place(this.shown.slot, this.shown.anchor); });
  }

  /** Says `text` in `slot`, under `anchor` ("" clears it). */
  say(slot, anchor, text) {
    if (this.shown && this.shown.slot !== slot) this.clear();
    slot.textContent = text;
    slot.hidden = !text;
    this.shown = text ? { slot, anchor } : null;
    if (text) this.place(slot, anchor);
  }

  /** Lines `slot` up under `anchor` within its parent, the caret at the control's middle. */
  place(slot, anchor) {
    const parent = /** @type {HTMLElement} */ (slot.parentElement).getBoundingClientRect();
    const control = anchor.getBoundingClientRect();
    slot.style.marginLeft = "0px";
    const width = slot.getBoundingClientRect().width;
    const left = Math.max(0, Math.min(control.left - parent.left, parent.width - width));
    slot.style.marginLeft = `${left}px`;
    const caret = control.left + control.width / 2 - parent.left - left;
    slot.style.setProperty("--caret", `${Math.max(12, Math.min(caret, width - 12))}px`);
  }

  clear() {
    if (!this.shown) return;
    this.shown.slot.textContent = "";
    this.shown.slot.hidden = true;
    this.shown = null;
  }
}
