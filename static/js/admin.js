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
    // Only the chosen outcome's reasons can be picked (a hire needs none).
    var reasons = form.querySelector("select[name='close-closure_reason']");
    function offerReasonsFor(status) {
      if (!reasons) return;
      reasons.querySelectorAll("optgroup").forEach(function (group) {
        group.disabled = group.label.toLowerCase() !== status;
      });
      var chosen = reasons.options[reasons.selectedIndex];
      if (chosen && chosen.parentNode.disabled) reasons.value = "";
    }
    form.querySelectorAll("input[name='close-status']").forEach(function (radio) {
      if (radio.checked) offerReasonsFor(radio.value);
      radio.addEventListener("change", function () {
        var untouched = note.value.trim() === "" || templates.indexOf(note.value) !== -1;
        if (radio.checked && untouched) {
          note.value = form.getAttribute("data-template-" + radio.value) || "";
        }
        if (radio.checked) offerReasonsFor(radio.value);
      });
    });
    var links = form.querySelector(".template-links");
    if (links) links.hidden = true; // the radios now do what the links did
  });

  // Date fields: the browser's picker speaks the browser's locale, the page the
  // company's words. Under each date field, say the chosen date as the server does
  // (dates.in_words in portal/dates.py: "Tuesday 8 December", the year only when it
  // is not the company's current year), and keep it current as the date changes.
  var WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
  var MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December"
  ];

  function inWords(value, thisYear) {
    var parts = /^(\d{4,})-(\d{2})-(\d{2})$/.exec(value);
    if (!parts) return "";
    var year = Number(parts[1]), month = Number(parts[2]), day = Number(parts[3]);
    var date = new Date(0);
    date.setUTCFullYear(year, month - 1, day); // UTC: the same day whatever the zone
    if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return "";
    var text = WEEKDAYS[(date.getUTCDay() + 6) % 7] + " " + day + " " + MONTHS[month - 1];
    return year === thisYear ? text : text + " " + year;
  }

  var yearGiven = document.querySelector(".date-words[data-year]");
  var companyYear = yearGiven ? Number(yearGiven.dataset.year) : new Date().getFullYear();
  document.querySelectorAll("input[type='date']").forEach(function (input) {
    var words = input.id ? document.getElementById(input.id + "-words") : null;
    if (!words) {
      // A date input written out by hand rather than by the field macro.
      words = document.createElement("p");
      words.className = "hint date-words";
      words.setAttribute("aria-live", "polite");
      if (input.id) {
        words.id = input.id + "-words";
        var described = input.getAttribute("aria-describedby");
        input.setAttribute("aria-describedby", (described ? described + " " : "") + words.id);
      }
      input.insertAdjacentElement("afterend", words);
    }
    var thisYear = Number(words.dataset.year) || companyYear;
    function show() {
      words.textContent = inWords(input.value, thisYear);
    }
    input.addEventListener("input", show);
    input.addEventListener("change", show);
    show(); // a value the browser restored (back button, autofill) is said too
  });
})();
