// The teacher panel: tick what students see and may change, pick the settings a lesson starts
// from and whether training starts by itself, then hand the link out (copied, or as a QR code
// on the projector). What can be ticked is what `hide=` takes: the page's parts and the trainer's
// schema (its groups and controls, as the lab lays them out). The settings are the trainer's own
// query (a preset's or the run on screen's); the page composes only its own keys around it.
import qrcode from "../vendor/qrcode.js";
import { t } from "../i18n.js";

/** Blank modules around the code, as the QR standard asks, so phones find its edges. */
const QUIET_ZONE = 4;
/** The QR code's side on screen, in CSS pixels (the canvas is drawn at whole modules). */
const QR_SIDE = 264;

/** A checkbox with its words, ticked: unticking `name` hides it from students. */
function tick(name, key) {
  const label = document.createElement("label");
  label.className = "inline";
  const box = document.createElement("input");
  box.type = "checkbox";
  box.checked = true;
  box.dataset.hide = name;
  const words = document.createElement("span");
  words.dataset.i18n = key;
  words.textContent = t(key);
  label.append(box, words);
  return label;
}

export class TeacherPanel {
  /** `$` finds index.html's elements; `compose(query, options)` writes a link's hash (app.js owns
   * the link's format); `copy(link, button)` copies a link and says so beside `button`. */
  constructor($, { compose, copy }) {
    this.$ = $;
    this.compose = compose;
    /** The settings on screen, as the trainer writes them. */
    this.current = "";
    /** The presets the trainer offers, `[{id, query}]`. */
    this.presets = [];
    const root = $("teacher");
    root.addEventListener("change", () => this.paint());
    $("teacher-open").onclick = () => this.toggle(root.hidden);
    $("teacher-close").onclick = () => this.toggle(false);
    $("teacher-copy").onclick = () => copy(this.link(), $("teacher-copy"));
  }

  /** Opens (`open`) or closes the panel. */
  toggle(open) {
    this.$("teacher").hidden = !open;
    this.$("teacher-open").setAttribute("aria-expanded", String(open));
    if (open) {
      this.paint();
      this.$("teacher-title").scrollIntoView({ block: "nearest" });
    }
  }

  /** Builds the ticks: the page's `parts`, then each of the lab's `groups` with its `controls`
   * (`[{key, label, group}]`, from the schema); `hidden` are the names the page's link hides now. */
  build(parts, groups, controls, hidden) {
    this.$("teacher-parts").replaceChildren(...parts.map((name) => tick(name, `teacher.part.${name}`)));
    this.$("teacher-groups").replaceChildren(...groups.map((group) => {
      const box = document.createElement("div");
      box.className = "teacher-group";
      box.dataset.group = group;
      const head = tick(group, `group.${group}`);
      head.classList.add("teacher-group-name");
      const list = document.createElement("div");
      list.className = "teacher-ticks";
      list.append(...controls.filter((c) => c.group === group).map((c) => tick(c.key, `field.${c.label}`)));
      box.append(head, list);
      return box;
    }));
    for (const box of this.boxes()) box.checked = !hidden.includes(box.dataset.hide);
    this.paint();
  }

  /** @returns {HTMLInputElement[]} */
  boxes() {
    return [...this.$("teacher").querySelectorAll("input[data-hide]")];
  }

  /** Shows the presets the trainer offers as starting points, after the settings on screen. */
  setPresets(list) {
    this.presets = list;
    const select = this.$("teacher-preset");
    const chosen = select.value;
    const option = (value, key) => {
      const o = document.createElement("option");
      o.value = value;
      o.dataset.i18n = key;
      o.textContent = t(key);
      return o;
    };
    select.replaceChildren(option("", "teacher_preset_current"), ...list.map((p) => option(p.id, `preset.${p.id}`)));
    select.value = chosen;
  }

  /** The settings on screen changed (`query`, the trainer's): a link that starts from them follows. */
  setCurrent(query) {
    this.current = query;
    if (!this.$("teacher").hidden) this.paint();
  }

  /** What students will not see: unticked names, leaving out those inside an unticked part. */
  hidden() {
    const off = new Set(this.boxes().filter((b) => !b.checked).map((b) => b.dataset.hide));
    const inside = (box) => {
      const group = box.closest(".teacher-group");
      if (!group) return false;
      return off.has("lab") || (box.dataset.hide !== group.dataset.group && off.has(group.dataset.group));
    };
    return this.boxes().filter((b) => off.has(b.dataset.hide) && !inside(b)).map((b) => b.dataset.hide);
  }

  /** The student link: this page's address with the chosen settings and page options. */
  link() {
    const preset = this.presets.find((p) => p.id === this.$("teacher-preset").value);
    const hash = this.compose(preset ? preset.query : this.current, {
      hide: this.hidden(),
      autostart: this.$("teacher-autostart").checked,
      embed: this.$("teacher-embed").checked,
      lang: this.$("teacher-lang").value,
    });
    return `${location.href.split("#")[0]}#${hash}`;
  }

  /** Paints the link, its QR code and the embed snippet; greys out ticks inside an unticked part. */
  paint() {
    const $ = this.$;
    const off = new Set(this.boxes().filter((b) => !b.checked).map((b) => b.dataset.hide));
    for (const group of $("teacher-groups").children) {
      const head = /** @type {HTMLInputElement} */ (group.querySelector(".teacher-group-name input"));
      head.disabled = off.has("lab");
      for (const box of group.querySelectorAll(".teacher-ticks input")) box.disabled = off.has("lab") || !head.checked;
    }
    const link = this.link();
    $("teacher-link").value = link;
    this.drawQr(link);
    const embed = $("teacher-embed").checked;
    $("teacher-snippet-label").hidden = !embed;
    // Attribute values are escaped, since the link carries what the teacher's settings hold.
    const src = link.replaceAll("&", "&amp;").replaceAll('"', "&quot;");
    $("teacher-snippet").value = embed ? `<iframe src="${src}" width="960" height="640" style="border:0" title="webgan"></iframe>` : "";
  }

  /** Draws `link` as a QR code (error correction M), a whole number of pixels per module. */
  drawQr(link) {
    const canvas = this.$("teacher-qr");
    const context = canvas.getContext("2d");
    let qr;
    try {
      qr = qrcode(0, "M");
      qr.addData(link, "Byte");
      qr.make();
    } catch {
      // Longer than a QR code holds (a long drawing in the link): the link itself still works.
      canvas.hidden = true;
      canvas.dataset.modules = "0";
      return;
    }
    canvas.hidden = false;
    const modules = qr.getModuleCount();
    const side = modules + 2 * QUIET_ZONE;
    const cell = Math.max(1, Math.floor(QR_SIDE / side));
    canvas.width = canvas.height = side * cell;
    canvas.dataset.modules = String(modules);
    canvas.dataset.cell = String(cell);
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.fillStyle = "#000";
    for (let row = 0; row < modules; row++) {
      for (let col = 0; col < modules; col++) {
        if (qr.isDark(row, col)) context.fillRect((col + QUIET_ZONE) * cell, (row + QUIET_ZONE) * cell, cell, cell);
      }
    }
    canvas.title = link;
  }
}
