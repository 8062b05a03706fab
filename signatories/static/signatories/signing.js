// Progressive enhancement of the signing form: show only the fields of the chosen category, and
// give the ALTCHA widget its proof-of-work worker (served by the site, no third-party host).
const form = document.querySelector("[data-signature-form]");

if (form) {
  const workerUrl = form.dataset.altchaWorker;
  if (workerUrl && globalThis.$altcha) {
    for (const algorithm of ["PBKDF2/SHA-256", "PBKDF2/SHA-384", "PBKDF2/SHA-512"]) {
      globalThis.$altcha.algorithms.set(algorithm, () => new Worker(workerUrl));
    }
  }

  const radios = form.querySelectorAll("input[name='category']");
  const sections = form.querySelectorAll("[data-category]");

  const update = () => {
    const checked = form.querySelector("input[name='category']:checked");
    const category = checked ? checked.value : "";
    for (const section of sections) {
      const show = section.dataset.category === category;
      section.hidden = !show;
      // Hidden fields are still posted; the server only reads the chosen category's fields.
    }
  };

  for (const radio of radios) {
    radio.addEventListener("change", update);
  }
  update();

  const alert = form.querySelector("[data-form-alert]");
  if (alert) {
    alert.focus();
  }
}
