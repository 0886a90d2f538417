// A lesson, stage by stage: the stage's words in the reader's language, how far the class is,
// and Previous / Next. The trainer has checked the lesson; app.js starts each stage's run.
import { t } from "../i18n.js";

/** @typedef {import("../pkg/webgan.js").Lesson} Lesson */

export class LessonView {
  /** The panel's elements come from `$`; `onStage(stage, index)` starts a stage's run and
   * `onLeave()` hands the page back to the student. */
  constructor($, { onStage, onLeave }) {
    this.$ = $;
    this.onStage = onStage;
    /** @type {Lesson | null} */
    this.lesson = null;
    this.index = 0;
    /** Whether the stage's run has paused at its last step. */
    this.reached = false;
    $("lesson-prev").onclick = () => this.go(this.index - 1);
    $("lesson-next").onclick = () => this.go(this.index + 1);
    $("lesson-leave").onclick = () => {
      this.lesson = null;
      this.paint();
      onLeave();
    };
  }

  /** The stage on screen, or null without a lesson. */
  get stage() {
    return this.lesson ? this.lesson.stages[this.index] : null;
  }

  /** Opens `lesson` at stage `index` (from 0; a number out of range opens the nearest stage). */
  open(lesson, index = 0) {
    this.lesson = lesson;
    this.go(Math.min(Math.max(0, Math.trunc(index) || 0), lesson.stages.length - 1));
  }

  /** Goes to stage `index` and starts its run. */
  go(index) {
    if (!this.lesson || index < 0 || index >= this.lesson.stages.length) return;
    this.index = index;
    this.reached = false;
    this.$("lesson-observe-box").open = false; // students answer before they read what to see
    this.paint();
    this.onStage(this.lesson.stages[index], index);
  }

  /** The stage's run paused at its last step: what to observe opens. */
  reach() {
    this.reached = true;
    this.$("lesson-observe-box").open = true;
    this.paint();
  }

  /** Writes the stage's words in the reader's language (again after a change of language). */
  paint() {
    const { $, lesson, stage } = this;
    $("lesson").hidden = !lesson;
    if (!lesson || !stage) return;
    const language = document.documentElement.lang;
    const words = stage.text[language] ?? stage.text.en;
    $("lesson-title").textContent = lesson.title[language] ?? lesson.title.en;
    $("lesson-progress").textContent = t("lesson_progress", { n: this.index + 1, count: lesson.stages.length });
    $("lesson-stage-title").textContent = words.title;
    $("lesson-read").textContent = words.read;
    $("lesson-ask").textContent = words.ask;
    $("lesson-observe").textContent = words.observe;
    $("lesson-run").textContent = t(this.reached ? "lesson_reached" : "lesson_running", { steps: stage.steps });
    $("lesson-prev").disabled = this.index === 0;
    $("lesson-next").disabled = this.index === lesson.stages.length - 1;
  }
}
