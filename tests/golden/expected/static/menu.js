// Narrow screens: the navigation folds behind a menu button (without JavaScript it stays open, as on wide screens).
const header = document.querySelector(".site-header");
const button = header && header.querySelector(".menu-button");
if (button) {
  header.classList.add("has-menu");
  button.hidden = false;
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    header.classList.toggle("menu-open", open);
  });
  document.addEventListener("keydown", (event) => {  // Escape closes the open menu and returns to its button
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      button.setAttribute("aria-expanded", "false");
      header.classList.remove("menu-open");
      button.focus();
    }
  });
}
