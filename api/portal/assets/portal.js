/* global document, window, setTimeout */
// Light progressive enhancement: the pages work without it. A button marked data-confirm asks before it submits
// (withdrawing a nomination cannot be undone), and a submitted form's button is disabled so a double click sends once.
document.addEventListener('submit', (event) => {
  const form = event.target;
  const button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  // After the form data is taken, or a clicked button's own name and value would be left out.
  setTimeout(() => {
    for (const b of form.querySelectorAll('button[type="submit"]')) b.disabled = true;
  }, 0);
});
