// Progressive enhancement of the signing form: show only the fields of the chosen category, give
// the ALTCHA widget its proof-of-work worker (served by the site, no third-party host), and take
// the form token that comes with the challenge.
const form = document.querySelector("[data-signature-form]");

if (form) {
  const workerUrl = form.dataset.altchaWorker;
  if (workerUrl && globalThis.$altcha) {
    for (const algorithm of ["PBKDF2/SHA-256", "PBKDF2/SHA-384", "PBKDF2/SHA-512"]) {
      globalThis.$altcha.algorithms.set(algorithm, () => new Worker(workerUrl));
    }
  }

  // The page may come from a public cache: the form's signed token arrives with the challenge.
  const token = form.querySelector("input[name='form_token']");
  const widget = form.querySelector("altcha-widget");
  if (token && widget) {
    const fetchWithToken = async (url, init) => {
      const response = await fetch(url, init);
      const fresh = response.headers.get("X-Form-Token");
      if (fresh && !token.value) {
        token.value = fresh;
      }
      return response;
    };
    customElements.whenDefined("altcha-widget").then(() => widget.configure({ fetch: fetchWithToken }));
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
