// paperlog serve: the little script the pages need (served as a file: the CSP allows no inline
// script). The review card's keys, and a confirmation before a destructive button.
(function () {
  "use strict";

  function reveal() {
    var answer = document.getElementById("answer");
    var button = document.getElementById("reveal");
    if (!answer || !answer.hidden) {
      return;
    }
    answer.hidden = false;
    if (button) {
      button.setAttribute("aria-expanded", "true");
      button.hidden = true;
    }
    var first = answer.querySelector("button[data-grade='3']");
    if (first) {
      first.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    if (target.closest("#reveal")) {
      reveal();
      return;
    }
    var confirming = target.closest("button[data-confirm]");
    if (confirming && !window.confirm(confirming.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var target = event.target;
    if (target instanceof Element && target.closest("input, textarea, select")) {
      return;
    }
    var answer = document.getElementById("answer");
    if (!answer || !document.getElementById("review-card")) {
      return;
    }
    if (answer.hidden && (event.key === " " || event.key === "Enter")) {
      event.preventDefault();
      reveal();
      return;
    }
    if (!answer.hidden && /^[1-4]$/.test(event.key)) {
      var grade = answer.querySelector("button[data-grade='" + event.key + "']");
      if (grade) {
        event.preventDefault();
        grade.click();
      }
    }
  });
})();
