// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Move form: next steps belong to the stage visit. Choosing a stage puts that stage's
  // own next steps in the field, unless the recruiter has written their own.
  document.querySelectorAll("select[data-next-steps]").forEach(function (select) {
    var field = document.getElementById(select.dataset.nextSteps);
    if (!field) return;
    var defaults = Array.prototype.map.call(select.options, function (option) {
      return option.dataset.nextSteps || "";
    });
    select.addEventListener("change", function () {
      if (field.value.trim() === "" || defaults.indexOf(field.value) !== -1) {
        field.value = select.options[select.selectedIndex].dataset.nextSteps || "";
      }
    });
  });

  // Bulk close: switch the note to the chosen outcome's template, unless it was edited.
  document.querySelectorAll("select[data-templates]").forEach(function (select) {
    var note = document.getElementById(select.dataset.templates);
    if (!note) return;
    var templates = Array.prototype.map.call(select.options, function (option) {
      return option.dataset.template || "";
    });
    select.addEventListener("change", function () {
      if (note.value.trim() === "" || templates.indexOf(note.value) !== -1) {
        note.value = select.options[select.selectedIndex].dataset.template || "";
      }
    });
  });
})();
