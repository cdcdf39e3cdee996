// show_if on the phone, for filling without signal: the rule of
// service/forms/answers.visible_items, on the plan that service/collection/offline.py
// sends. An item shows when it has no condition, or when the item it depends on shows
// and its answer (any chosen option, for a multiple choice) is one of the values. The
// server judges again when the submission arrives. Loaded by pages and by node (tests).
(function (root) {
  "use strict";

  function shown(answer) { return answer !== null && answer !== undefined; }

  // {item id: true} for the items shown for these answers, in form order.
  function visibleItems(plan, answers) {
    var visible = {};
    plan.sections.forEach(function (section) {
      section.items.forEach(function (id) {
        var condition = plan.items[id].show_if;
        if (!condition) { visible[id] = true; return; }
        if (!visible[condition.item]) { return; }
        var answer = answers[condition.item];
        var given = Array.isArray(answer) ? answer : [answer];
        if (given.some(function (a) { return shown(a) && condition.values.indexOf(String(a)) >= 0; })) {
          visible[id] = true;
        }
      });
    });
    return visible;
  }

  var api = { visibleItems: visibleItems };
  if (typeof module === "object" && module.exports) { module.exports = api; } else { root.AnkangConditions = api; }
})(typeof self !== "undefined" ? self : this);
