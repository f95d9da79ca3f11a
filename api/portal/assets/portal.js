/* global document, window, setTimeout, XMLHttpRequest, FormData, DOMParser */
// Light progressive enhancement: the pages work without it. A button marked data-confirm asks before it submits
// (withdrawing a nomination cannot be undone), and a submitted form's button is disabled so a double click sends once.
// An upload form (data-upload) is sent by XHR to the same address, so its progress can be shown; the answer is the
// same page a plain post gets: on success the browser goes to it, on a refusal its message is put beside the field
// and the chosen file stays chosen.
document.addEventListener('submit', (event) => {
  const form = event.target;
  const button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  if (form.hasAttribute('data-upload') && typeof XMLHttpRequest === 'function') {
    event.preventDefault();
    upload(form);
    return;
  }
  // After the form data is taken, or a clicked button's own name and value would be left out.
  setTimeout(() => {
    for (const b of form.querySelectorAll('button[type="submit"]')) b.disabled = true;
  }, 0);
});

function upload(form) {
  const input = form.querySelector('input[type="file"]');
  const error = form.querySelector('.error');
  const progress = form.querySelector('progress');
  const button = form.querySelector('button[type="submit"]');
  const label = button.textContent;
  const show = (message) => {
    error.textContent = message;
    error.hidden = !message;
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  };
  const done = () => {
    button.disabled = false;
    button.textContent = label;
    progress.hidden = true;
  };
  show('');
  button.disabled = true;
  button.textContent = form.dataset.uploading;
  progress.hidden = false;
  progress.value = 0;
  const xhr = new XMLHttpRequest();
  xhr.open('POST', form.action);
  xhr.upload.addEventListener('progress', (e) => {
    if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
  });
  xhr.addEventListener('load', () => {
    if (xhr.status === 200) {
      window.location.assign(xhr.responseURL);
      return;
    }
    done();
    // The refusal page holds the message in the same field's error element.
    const page = new DOMParser().parseFromString(xhr.responseText, 'text/html');
    const same = page.getElementById(error.id);
    const alert = page.querySelector('[role="alert"]');
    show((same && same.textContent.trim()) || (alert && alert.textContent.trim()) || String(xhr.status));
    input.focus();
  });
  xhr.addEventListener('error', () => {
    done();
    form.submit();
  });
  xhr.send(new FormData(form));
}
