/* Progressive disclosure on the answering pages (plain ES2017, no build step, no libraries).

   A question whose relevance depends on answers on the same page is drawn by the server with its condition in
   data-relevant (JSON compiled from the form's XPath by chiiki.surveys.xlsform._client). This script evaluates
   the conditions as answers change, with the server runtime's rules (XPath 1.0 as ODK applies it), and shows or
   hides the question: `hidden` on its wrapper and `disabled` on its inputs, including its own `shown` input, so
   that only questions shown are posted. The result is a preview: the server evaluates relevance again when the
   page is posted, keeps no answer to a question that is not relevant and reports missing answers. Without this
   script the page works as before (the question appears after the page is posted). */
(function () {
  "use strict";

  const form = document.getElementById("answer-form");
  if (!form) return;
  const entries = new Map(); // field key -> {wrapper, condition, shown}
  for (const wrapper of form.querySelectorAll(".answer-reveal[data-relevant]")) {
    try {
      entries.set(wrapper.dataset.key, {
        wrapper: wrapper,
        condition: JSON.parse(wrapper.dataset.relevant),
        shown: !wrapper.hidden,
      });
    } catch (error) {
      // A condition that does not parse is left as the server drew it.
    }
  }
  if (!entries.size) return;
  const live = document.getElementById("answer-live");

  // ------------------------------------------------------------------------------------- values

  class XDate { // an ODK date: compares and counts as days since 1970-01-01
    constructor(iso, days) { this.iso = iso; this.days = days; }
  }

  const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
  function parseDate(text) {
    text = text.trim();
    if (text.length < 10 || (text.length > 10 && !"T ".includes(text[10]))) return null;
    const match = ISO_DATE.exec(text.slice(0, 10));
    if (!match) return null;
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const ms = Date.UTC(year, month - 1, day);
    const check = new Date(ms);
    if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
      return null;
    }
    return new XDate(text.slice(0, 10), Math.round(ms / 86400000));
  }

  const today = parseDate(form.dataset.today || "") || new XDate("1970-01-01", 0);
  const XPATH_NUMBER = /^\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*$/;

  function toNumber(value) {
    if (typeof value === "boolean") return value ? 1 : 0;
    if (typeof value === "number") return value;
    if (value instanceof XDate) return value.days;
    if (XPATH_NUMBER.test(value)) return parseFloat(value);
    const date = parseDate(value);
    return date ? date.days : NaN;
  }

  function toText(value) {
    if (typeof value === "boolean") return value ? "true" : "false";
    if (typeof value === "number") {
      if (Number.isNaN(value)) return "NaN";
      if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
      if (Number.isInteger(value)) return Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString();
      return String(value);
    }
    if (value instanceof XDate) return value.iso;
    return value;
  }

  function toBoolean(value) {
    if (typeof value === "boolean") return value;
    if (typeof value === "number") return !(value === 0 || Number.isNaN(value));
    if (value instanceof XDate) return true;
    return value !== "";
  }

  function compare(op, left, right) {
    if (op === "=" || op === "!=") {
      let equal;
      if (typeof left === "boolean" || typeof right === "boolean") {
        equal = toBoolean(left) === toBoolean(right);
      } else if (left instanceof XDate || right instanceof XDate || typeof left === "number" || typeof right === "number") {
        equal = toNumber(left) === toNumber(right);
      } else {
        equal = left === right;
      }
      return op === "=" ? equal : !equal;
    }
    const a = toNumber(left);
    const b = toNumber(right);
    if (op === "<") return a < b;
    if (op === "<=") return a <= b;
    if (op === ">") return a > b;
    return a >= b;
  }

  function arithmetic(op, a, b) {
    if (op === "+") return a + b;
    if (op === "-") return a - b;
    if (op === "*") return a * b;
    if (op === "div") return a / b; // IEEE division: x div 0 is ±Infinity, 0 div 0 NaN, as the runtime
    return a % b; // mod keeps the sign of the dividend (C's fmod), as the runtime
  }

  // ------------------------------------------------------------------------------------- answers

  // Numbers as the server reads them before typing them (answering/typed.py): full-width digits, "55㎡",
  // "3,000円". A year in 和暦 is not read here: the question then appears after the page is posted.
  const UNITS = "人|名|世帯|歳|才|年|か月|ヵ月|ヶ月|ケ月|カ月|月|日|時間|分|回|件|台|個|本|枚|部屋|室|階|m2|平方メートル|平米|坪" +
    "|円|万円|千円|km|m|cm|kg|g|%|パーセント";
  const NUMBER_WITH_UNIT = new RegExp(
    "^(?<number>[+-]?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?)\\s*(?:" + UNITS + ")?(?:ぐらい|くらい|程度|位)?$"
  );
  const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

  function plainNumber(typed, kind) {
    const text = typed.normalize("NFKC").trim().replace(/ /g, "");
    const match = NUMBER_WITH_UNIT.exec(text);
    if (!match) return typed.trim();
    const number = match.groups.number.replace(/,/g, "");
    return kind === "integer" && number.includes(".") ? typed.trim() : number;
  }

  function rawAnswer(key) {
    const controls = [...form.elements].filter((element) => element.name === key && !element.disabled);
    const picked = [];
    for (const control of controls) {
      if (control.type === "radio" || control.type === "checkbox") {
        if (control.checked) picked.push(control.value);
      } else {
        picked.push(control.value);
      }
    }
    return picked;
  }

  // An answer as the runtime's _typed sees it once posted: "" when empty, numbers for integer and decimal,
  // dates for date, choices separated by spaces.
  function answer(key, kind) {
    const entry = entries.get(key);
    if (entry && !entry.shown) return ""; // a question not shown is not relevant: its value is empty
    const picked = rawAnswer(key);
    if (kind === "select_multiple") return picked.join(" ");
    const raw = (picked.length ? picked[picked.length - 1] : "").trim();
    if (raw === "") return "";
    if (kind === "integer" || kind === "decimal") {
      const text = plainNumber(raw, kind).normalize("NFKC").trim();
      return DECIMAL.test(text) ? parseFloat(text) : text;
    }
    if (kind === "date") {
      return parseDate(raw.normalize("NFKC").slice(0, 10)) || raw;
    }
    return raw;
  }

  // ------------------------------------------------------------------------------------- conditions

  const CALLS = {
    "selected": (args) => toText(args[0]).split(/\s+/).filter(Boolean).includes(toText(args[1]).trim()),
    "count-selected": (args) => toText(args[0]).split(/\s+/).filter(Boolean).length,
    "string-length": (args) => [...toText(args[0])].length,
    "coalesce": (args) => (toText(args[0]) !== "" ? toText(args[0]) : toText(args[1])),
    "int": (args) => {
      const number = toNumber(args[0]);
      return Number.isFinite(number) ? Math.trunc(number) : number;
    },
    "number": (args) => toNumber(args[0]),
    "string": (args) => toText(args[0]),
    "boolean": (args) => toBoolean(args[0]),
    "not": (args) => !toBoolean(args[0]),
    "contains": (args) => toText(args[0]).includes(toText(args[1])),
  };

  function evaluate(node) {
    const op = node[0];
    switch (op) {
      case "s": case "n": case "b": return node[1];
      case "d": return parseDate(node[1]) || node[1];
      case "today": return today;
      case "ref": return answer(node[1], node[2]);
      case "neg": return -toNumber(evaluate(node[1]));
      case "or": return toBoolean(evaluate(node[1])) || toBoolean(evaluate(node[2]));
      case "and": return toBoolean(evaluate(node[1])) && toBoolean(evaluate(node[2]));
      case "=": case "!=": case "<": case "<=": case ">": case ">=":
        return compare(op, evaluate(node[1]), evaluate(node[2]));
      case "+": case "-": case "*": case "div": case "mod":
        return arithmetic(op, toNumber(evaluate(node[1])), toNumber(evaluate(node[2])));
      case "fn":
        if (node[1] === "if") return evaluate(toBoolean(evaluate(node[2])) ? node[3] : node[4]);
        if (Object.prototype.hasOwnProperty.call(CALLS, node[1])) return CALLS[node[1]](node.slice(2).map(evaluate));
    }
    throw new Error("unknown condition " + op);
  }

  // ------------------------------------------------------------------------------------- the page

  function labelOf(wrapper) {
    const label = wrapper.querySelector(".field__label, .answer-note p");
    if (!label) return "";
    const copy = label.cloneNode(true);
    for (const mark of copy.querySelectorAll(".required")) mark.remove(); // "※必須" is not read out here
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function show(entry, shown) {
    entry.shown = shown;
    entry.wrapper.hidden = !shown;
    for (const control of entry.wrapper.querySelectorAll("input, select, textarea")) {
      control.disabled = !shown;
    }
  }

  // Conditions may read questions that are themselves conditional: evaluate until nothing changes.
  function update(announce) {
    const added = [];
    const removed = [];
    for (let round = 0; round <= entries.size; round += 1) {
      let changed = false;
      for (const entry of entries.values()) {
        let shown;
        try {
          shown = toBoolean(evaluate(entry.condition));
        } catch (error) {
          continue; // left as it is: the server decides when the page is posted
        }
        if (shown !== entry.shown) {
          show(entry, shown);
          (shown ? added : removed).push(entry);
          changed = true;
        }
      }
      if (!changed) break;
    }
    if (announce && live && (added.length || removed.length)) {
      const net = (list, state) => list.filter((entry) => entry.shown === state).map((entry) => labelOf(entry.wrapper));
      const parts = [];
      const shownNow = net(added, true).filter(Boolean);
      const hiddenNow = net(removed, false).filter(Boolean);
      if (shownNow.length) parts.push(live.dataset.added + " " + shownNow.join("、"));
      if (hiddenNow.length) parts.push(live.dataset.removed + " " + hiddenNow.join("、"));
      live.textContent = parts.join(" ");
    }
  }

  // The focus stays where the person is typing: nothing here moves it.
  form.addEventListener("input", () => update(true));
  form.addEventListener("change", () => update(true));
  update(false); // answers a browser kept (back button) may already change what is shown
})();
