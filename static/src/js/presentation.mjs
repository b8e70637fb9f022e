// Presentation mode: a button puts the page (its marking banners included) in full screen with
// the browser's Fullscreen API; Escape leaves it, as browsers do. Without the API the button
// stays hidden and the page is the same, in the browser's window.
const button = document.querySelector("[data-nim-fullscreen]");

if (button && document.fullscreenEnabled) {
  button.hidden = false;
  button.addEventListener("click", () => {
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else {
      document.documentElement.requestFullscreen();
    }
  });
  document.addEventListener("fullscreenchange", () => {
    button.firstChild.textContent = document.fullscreenElement ? "Leave full screen" : "Full screen";
  });
}
