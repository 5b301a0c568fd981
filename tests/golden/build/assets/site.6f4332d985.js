// Enhancements only: every link and player works without this script.
(function () {
  "use strict";

  // Copy a feed URL to the clipboard instead of opening the XML; fall back to the link.
  function copyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (el) {
      el.addEventListener("click", function (event) {
        if (!navigator.clipboard || !window.isSecureContext) {
          var input = document.querySelector(".feed-url input");
          if (!input) return;
          event.preventDefault();
          input.focus();
          input.select();
          return;
        }
        event.preventDefault();
        var label = el.querySelector(".copy-label") || el;
        var before = label.textContent;
        navigator.clipboard.writeText(el.dataset.copy).then(function () {
          label.textContent = el.dataset.copied || "Copied";
          el.classList.add("done");
          setTimeout(function () { label.textContent = before; el.classList.remove("done"); }, 2000);
        }, function () { window.location.href = el.href; });
      });
    });
  }

  // Chapter and transcript links seek the page's player instead of opening the audio file.
  function seekLinks() {
    var player = document.getElementById("player");
    if (!player) return;
    var links = Array.prototype.slice.call(document.querySelectorAll("a[data-start]"));
    links.forEach(function (a) {
      a.addEventListener("click", function (event) {
        event.preventDefault();
        player.currentTime = parseFloat(a.dataset.start);
        var playing = player.play();
        if (playing && playing.catch) playing.catch(function () {});
        player.focus();
      });
    });
    var chapters = Array.prototype.slice.call(document.querySelectorAll(".chapters a[data-start]"));
    player.addEventListener("timeupdate", function () {
      var now = player.currentTime, current = null;
      chapters.forEach(function (a) { if (parseFloat(a.dataset.start) <= now + 0.01) current = a; });
      chapters.forEach(function (a) {
        if (a === current) a.setAttribute("aria-current", "true");
        else a.removeAttribute("aria-current");
      });
    });
  }

  // Only one player sounds at a time on pages with many episodes.
  function onePlayer() {
    document.addEventListener("play", function (event) {
      document.querySelectorAll("audio").forEach(function (audio) {
        if (audio !== event.target) audio.pause();
      });
    }, true);
  }

  // A shared link ending in #t=<seconds> starts the page's player there.
  function startAt() {
    var player = document.getElementById("player");
    var m = /^#t=(\d+(?:\.\d+)?)$/.exec(window.location.hash);
    if (player && m) player.currentTime = parseFloat(m[1]);
  }

  document.documentElement.classList.add("js");
  copyButtons();
  seekLinks();
  onePlayer();
  startAt();
})();
