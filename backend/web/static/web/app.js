/* Small behaviours of the pages. No outside scripts: county intranets have no internet. */
(function () {
  "use strict";

  // "选择" buttons fill the matching select of the form on the same page.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-pick]");
    if (!button) return;
    var select = document.getElementById(button.getAttribute("data-pick"));
    if (!select) return;
    select.value = button.getAttribute("data-value");
    select.dispatchEvent(new Event("change", { bubbles: true }));
    select.focus();
  });

  // Selects marked data-autosubmit submit their form when changed (town switcher).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
  });

  // Parts of a form shown only for some choice of a radio group (e.g. witness fields for "witness").
  function syncShowFor(form) {
    var checked = form.querySelector("input[type=radio]:checked");
    var value = checked ? checked.value : "";
    form.querySelectorAll("[data-show-for]").forEach(function (part) {
      part.hidden = value !== "" && part.getAttribute("data-show-for").split(" ").indexOf(value) < 0;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("input[type=radio]") && event.target.form) syncShowFor(event.target.form);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("[data-show-for]")) syncShowFor(form);
    });
  });

  // A search result ticked in a chooser joins the chosen list (inspections: 指定户), so a new search keeps it.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches("input[data-choose-into]") || !box.checked) return;
    var list = document.getElementById(box.getAttribute("data-choose-into"));
    var item = box.closest("li");
    if (!list || !item) return;
    var empty = list.querySelector("li.empty");
    if (empty) empty.remove();
    box.removeAttribute("data-choose-into");
    list.appendChild(item);
  });

  // Signature pads: a canvas drawn with finger, pen or mouse; its PNG goes into a hidden input.
  function setUpPad(pad) {
    if (pad.dataset.ready) return;
    pad.dataset.ready = "1";
    var canvas = pad.querySelector("canvas");
    var input = pad.querySelector("input[type=hidden]");
    var clear = pad.querySelector("[data-clear]");
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;

    function size() {
      var ratio = window.devicePixelRatio || 1;
      var rect = canvas.getBoundingClientRect();
      canvas.width = Math.round(rect.width * ratio);
      canvas.height = Math.round(rect.height * ratio);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#111";
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, rect.width, rect.height);
      drawn = false;
      input.value = "";
    }
    function point(e) {
      var rect = canvas.getBoundingClientRect();
      return { x: e.clientX - rect.left, y: e.clientY - rect.top };
    }
    canvas.addEventListener("pointerdown", function (e) {
      e.preventDefault();
      canvas.setPointerCapture(e.pointerId);
      drawing = true;
      var p = point(e);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      ctx.lineTo(p.x + 0.1, p.y + 0.1);
      ctx.stroke();
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = point(e);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      drawn = true;
    });
    function finish() {
      if (!drawing) return;
      drawing = false;
      if (drawn) {
        input.value = canvas.toDataURL("image/png");
        pad.classList.add("signed");
      }
    }
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
    if (clear) clear.addEventListener("click", function () { size(); pad.classList.remove("signed"); });
    size();
  }
  function setUpAll(root) {
    (root || document).querySelectorAll("[data-signature-pad]").forEach(setUpPad);
  }
  document.addEventListener("DOMContentLoaded", function () { setUpAll(document); });
  document.addEventListener("htmx:load", function (e) { setUpAll(e.target); });
})();
