// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Move form: show the default reply-by date of the stage being chosen.
  document.querySelectorAll("select[data-reply-hint]").forEach(function (select) {
    var hint = document.getElementById(select.dataset.replyHint);
    if (!hint) return;
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      hint.textContent = "Leave empty for the stage's follow-up days: " + option.dataset.replyBy + ".";
    });
  });

  // Close form: switch the closure note to the chosen outcome's template in place,
  // unless the recruiter has already written their own.
  document.querySelectorAll("form.close-form").forEach(function (form) {
    var note = form.querySelector("textarea[name='close-closure_note']");
    if (!note) return;
    var templates = ["hired", "rejected", "withdrawn"].map(function (s) {
      return form.getAttribute("data-template-" + s) || "";
    });
    form.querySelectorAll("input[name='close-status']").forEach(function (radio) {
      radio.addEventListener("change", function () {
        var untouched = note.value.trim() === "" || templates.indexOf(note.value) !== -1;
        if (radio.checked && untouched) {
          note.value = form.getAttribute("data-template-" + radio.value) || "";
        }
      });
    });
    var links = form.querySelector(".template-links");
    if (links) links.hidden = true; // the radios now do what the links did
  });
})();
