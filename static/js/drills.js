// Drill pages: "select all", the plan list that follows the scenario, copying the calendar
// link. Every page works without it.
(function () {
  "use strict";

  // <button data-select-all="name" [data-group="role"]> ticks every checkbox of that name
  // (of that group), or unticks them all when all were ticked.
  document.querySelectorAll("[data-select-all]").forEach(function (button) {
    button.addEventListener("click", function () {
      var selector = 'input[type=checkbox][name="' + button.dataset.selectAll + '"]';
      if (button.dataset.group) { selector += '[data-group="' + button.dataset.group + '"]'; }
      var boxes = Array.prototype.slice.call(button.form
        ? button.form.querySelectorAll(selector) : document.querySelectorAll(selector));
      var all = boxes.every(function (box) { return box.checked; });
      boxes.forEach(function (box) { if (!box.disabled) { box.checked = !all; } });
    });
  });

  // The plan list shows the plans of the chosen scenario only.
  var scenario = document.getElementById("f-scenario");
  var plans = document.querySelector("select[data-plan-select]");
  function filterPlans() {
    if (!scenario || !plans) { return; }
    Array.prototype.forEach.call(plans.options, function (option) {
      var other = option.dataset.scenario && scenario.value &&
        option.dataset.scenario !== scenario.value;
      option.hidden = !!other;
      option.disabled = !!other;
      if (other && option.selected) { plans.value = ""; }
    });
  }
  if (scenario && plans) {
    scenario.addEventListener("change", filterPlans);
    filterPlans();
  }

  // A read-only link field selects itself; <button data-copy="#field"> copies its value.
  document.querySelectorAll("[data-select-on-focus]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.querySelector(button.dataset.copy);
      var label = button.querySelector("span");
      function done() { if (label && button.dataset.copied) { label.textContent = button.dataset.copied; } }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          field.select(); document.execCommand("copy"); done();
        });
      } else {
        field.select();
        document.execCommand("copy");
        done();
      }
    });
  });
}());
