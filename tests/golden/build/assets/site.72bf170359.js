// Enhancements only: every link, menu and player works without this script.
(function () {
  "use strict";

  function clock(seconds) {
    var s = Math.max(0, Math.floor(seconds)), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
    var ss = ("0" + (s % 60)).slice(-2);
    return h ? h + ":" + ("0" + m).slice(-2) + ":" + ss : m + ":" + ss;
  }

  // Parse a media fragment time: "90", "1:30", "0:01:30.5", "npt:90" (W3C Media Fragments).
  function fragmentTime(hash) {
    var m = /(?:^#|&)t=(?:npt:)?([\d:.]+)/.exec(hash || "");
    if (!m) return null;
    var parts = m[1].split(":"), total = 0;
    if (parts.length > 3) return null;
    for (var i = 0; i < parts.length; i++) {
      var n = parseFloat(parts[i]);
      if (isNaN(n)) return null;
      total = total * 60 + n;
    }
    return total;
  }

  // Copy buttons: the clipboard API where the page is a secure context; elsewhere (S3 website
  // endpoints are plain HTTP) select the visible field's text and copy with execCommand, or
  // leave it selected for Ctrl+C.
  function copyButtons() {
    document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
      var input = button.parentNode.querySelector("input");
      var label = button.querySelector(".copy-label") || button;
      var before = label.textContent;
      button.hidden = false;
      function done(text) {
        label.textContent = text;
        button.classList.add("done");
        setTimeout(function () { label.textContent = before; button.classList.remove("done"); }, 2500);
      }
      function select() {
        input.focus();
        input.select();
        input.setSelectionRange(0, input.value.length);
        var copied = false;
        try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
        done(copied ? button.dataset.copied : button.dataset.select);
      }
      button.addEventListener("click", function () {
        var text = input.value;
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () { done(button.dataset.copied); }, select);
        } else {
          select();
        }
      });
    });
  }

  // Chapter and transcript links seek the page's player instead of opening the audio file.
  function seekLinks(player) {
    document.querySelectorAll("a[data-start]").forEach(function (a) {
      a.addEventListener("click", function (event) {
        event.preventDefault();
        player.currentTime = parseFloat(a.dataset.start);
        var playing = player.play();
        if (playing && playing.catch) playing.catch(function () {});
        player.focus();
      });
    });
  }

  // The current chapter and transcript cue are marked; the transcript scrolls to follow the
  // voice unless the listener scrolled it in the last few seconds.
  function follow(player) {
    var chapters = Array.prototype.slice.call(document.querySelectorAll(".chapters a[data-start]"));
    var cues = Array.prototype.slice.call(document.querySelectorAll(".cues li"));
    var list = document.querySelector(".cues");
    var userScroll = 0, lastCue = null;
    if (list) {
      ["wheel", "touchmove", "keydown"].forEach(function (type) {
        list.addEventListener(type, function () { userScroll = Date.now(); }, { passive: true });
      });
    }
    function current(items, start) {
      var now = player.currentTime, found = null;
      items.forEach(function (el) { if (parseFloat(start(el)) <= now + 0.01) found = el; });
      items.forEach(function (el) {
        if (el === found) el.setAttribute("aria-current", "true");
        else el.removeAttribute("aria-current");
      });
      return found;
    }
    player.addEventListener("timeupdate", function () {
      current(chapters, function (a) { return a.dataset.start; });
      var cue = current(cues, function (li) { return li.querySelector("a[data-start]").dataset.start; });
      if (cue && cue !== lastCue && list && list.offsetParent && Date.now() - userScroll > 4000) {
        list.scrollTop = cue.offsetTop - list.offsetTop - list.clientHeight / 3;
      }
      lastCue = cue;
    });
  }

  // Elapsed time beside the duration the feed gave (the player shows 0:00 until it loads).
  function times() {
    document.querySelectorAll(".listen").forEach(function (box) {
      var audio = box.querySelector("audio"), elapsed = box.querySelector(".elapsed");
      if (!audio || !elapsed) return;
      audio.addEventListener("loadedmetadata", function () { audio.classList.add("ready"); });
      audio.addEventListener("timeupdate", function () {
        elapsed.textContent = clock(audio.currentTime) + " /";
      });
    });
  }

  // Share at the current time: the link gains #t=<seconds>, and so do the share buttons.
  function share(player) {
    var panel = document.querySelector("[data-share]");
    if (!panel) return;
    var at = panel.querySelector(".share-at"), box = panel.querySelector("#share-at");
    var output = panel.querySelector("output"), input = panel.querySelector("input[type=text]");
    var links = panel.querySelectorAll("a.share-link");
    function update() {
      var t = Math.floor(player ? player.currentTime : 0);
      output.textContent = clock(t);
      var url = panel.dataset.share + (box.checked && t > 0 ? "#t=" + t : "");
      input.value = url;
      links.forEach(function (a) {
        a.href = a.dataset.pattern.replace("{url}", encodeURIComponent(url))
          .replace("{title}", encodeURIComponent(panel.dataset.title));
      });
    }
    if (player) {
      at.hidden = false;
      player.addEventListener("timeupdate", function () { if (!box.checked) update(); });
      box.addEventListener("change", update);
    }
  }

  // Only one player sounds at a time on pages with many episodes.
  function onePlayer() {
    document.addEventListener("play", function (event) {
      document.querySelectorAll("audio").forEach(function (audio) {
        if (audio !== event.target) audio.pause();
      });
    }, true);
  }

  // A shared link ending in #t=90 or #t=1:30 starts the page's player there.
  function startAt(player) {
    var t = fragmentTime(window.location.hash);
    if (t === null) return;
    player.preload = "metadata";
    player.currentTime = t;
    var elapsed = player.parentNode.querySelector(".elapsed");
    if (elapsed) elapsed.textContent = clock(t) + " /";
  }

  document.documentElement.classList.add("js");
  var player = document.getElementById("player");
  copyButtons();
  times();
  onePlayer();
  share(player);
  if (player) {
    seekLinks(player);
    follow(player);
    startAt(player);
  }
})();
