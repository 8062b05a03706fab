/* Progressive enhancements for the public site. Everything works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");

  document.addEventListener("DOMContentLoaded", function () {
    // Print button on the printable letter.
    document.querySelectorAll(".js-print").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });

    // When following a link to the signing form, move keyboard focus there too.
    document.querySelectorAll('a[href$="#signer"]').forEach(function (link) {
      link.addEventListener("click", function () {
        var target = document.getElementById("signer");
        if (target) {
          if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
          window.setTimeout(function () { target.focus({ preventScroll: true }); }, 0);
        }
      });
    });
  });
})();
