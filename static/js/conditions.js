// show_if on the phone, for filling without signal: the rule of
// service/forms/answers.visible_items, on the plan that service/collection/offline.py
// sends. An item shows when it has no condition, or when the item it depends on shows
// and its answer (any chosen option, for a multiple choice) is one of the values; a
// section's show_if hides every item of the section when it does not hold. The
// server judges again when the submission arrives. Loaded by pages and by node (tests).
(function (root) {
  "use strict";

  function shown(answer) { return answer !== null && answer !== undefined; }

  // The item it depends on shows, and its answer is one of the values.
  function holds(condition, visible, answers) {
    if (!visible[condition.item]) { return false; }
    var answer = answers[condition.item];
    var given = Array.isArray(answer) ? answer : [answer];
    return given.some(function (a) { return shown(a) && condition.values.indexOf(String(a)) >= 0; });
  }

  // {item id: true} for the items shown for these answers, in form order. A section
  // with a show_if that does not hold hides all its items.
  function visibleItems(plan, answers) {
    var visible = {};
    plan.sections.forEach(function (section) {
      if (section.show_if && !holds(section.show_if, visible, answers)) { return; }
      section.items.forEach(function (id) {
        var condition = plan.items[id].show_if;
        if (!condition || holds(condition, visible, answers)) { visible[id] = true; }
      });
    });
    return visible;
  }

  var api = { visibleItems: visibleItems };
  if (typeof module === "object" && module.exports) { module.exports = api; } else { root.AnkangConditions = api; }
})(typeof self !== "undefined" ? self : this);
