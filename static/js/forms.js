// Progressive enhancement of every page (loaded by base.html and the print pages); every
// form works without it.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // <form data-confirm="question"> asks before an irreversible action is sent; so does a
  // submit button with data-confirm (its own question).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      var question = (button && button.dataset.confirm) || form.dataset.confirm;
      if (!window.confirm(question)) { event.preventDefault(); }
    });
  });
  document.querySelectorAll("form:not([data-confirm]) [type=submit][data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirm)) { event.preventDefault(); }
    });
  });

  // A select with data-autosubmit loads its form's page as soon as it changes.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // <section data-show-when="category=school,..."> is shown only while the control named
  // "category" has one of those values; hidden fields are disabled so they are not sent.
  // A section showing an error stays visible so the message can be read.
  function applyShowWhen(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (section) {
      var rule = section.dataset.showWhen.split("=");
      var control = form.elements[rule[0]];
      if (!control) { return; }
      var wanted = rule[1].split(",");
      var show = wanted.indexOf(control.value) !== -1 ||
        section.querySelector(".invalid-feedback") !== null;
      section.hidden = !show;
      section.querySelectorAll("input, select, textarea").forEach(function (field) {
        field.disabled = !show;
      });
    });
  }

  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("[data-show-when]")) { return; }
    applyShowWhen(form);
    form.addEventListener("change", function (event) {
      if (event.target.name && form.querySelector('[data-show-when^="' + event.target.name + '="]')) {
        applyShowWhen(form);
      }
    });
  });

  // <button data-add-row="template-id" data-target="selector" data-next="n"> appends a copy
  // of the template with __i__ replaced by the next row number.
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    button.addEventListener("click", function () {
      var template = document.getElementById(button.dataset.addRow);
      var target = document.querySelector(button.dataset.target);
      var index = parseInt(button.dataset.next, 10);
      var html = template.innerHTML.replace(/__i__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var row = holder.firstElementChild;
      target.appendChild(row);
      button.dataset.next = String(index + 1);
      var first = row.querySelector("input");
      if (first) { first.focus(); }
    });
  });
}());
