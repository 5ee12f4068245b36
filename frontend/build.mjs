// Compiles GOV.UK Frontend (with our settings) and copies the browser assets Saferplan serves.
// Output goes to saferplan/static/build/, which is generated and not committed.
import { compile } from "sass";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// SAFERPLAN_BUILD_OUT lets the tests build into a folder of their own.
const out = process.env.SAFERPLAN_BUILD_OUT || join(root, "saferplan", "static", "build");
const modules = join(root, "node_modules");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// MOJ Frontend's Sass loads GOV.UK Frontend by a path from the project root.
const sassOptions = { loadPaths: [root, modules, join(modules, "govuk-frontend", "dist")], style: "compressed", quietDeps: true };
const css = ["saferplan.scss", "moj.scss"].map((entry) => compile(join(root, "frontend", entry), sassOptions).css);
writeFileSync(join(out, "saferplan.css"), css.join("\n"));

const govuk = join(modules, "govuk-frontend", "dist", "govuk");
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
// Images only: the fonts are GDS Transport, which a non-GOV.UK service may not use.
mkdirSync(join(out, "assets", "images"), { recursive: true });
for (const name of ["favicon.ico"]) {
  cpSync(join(govuk, "assets", "images", name), join(out, "assets", "images", name));
}
// The timeline's document link icon (moj.scss).
const moj = join(modules, "@ministryofjustice", "frontend", "moj");
cpSync(join(moj, "assets", "images", "icon-document.svg"), join(out, "assets", "images", "icon-document.svg"));
cpSync(join(modules, "leaflet", "dist"), join(out, "leaflet"), { recursive: true });
// Every file a stylesheet asks for must be in the build: `collectstatic` with the manifest (how
// production serves files) refuses a stylesheet that points at a missing one, and then no page
// can be shown at all. Caught here, when the build is made, rather than on the server.
const missing = new Set();
const stylesheets = readdirSync(out, { recursive: true }).filter((name) => name.endsWith(".css"));
for (const name of stylesheets) {
  const text = readFileSync(join(out, name), "utf8");
  for (const [, quoted] of text.matchAll(/url\(\s*([^)]*?)\s*\)/g)) {
    const target = quoted.replace(/^["']|["']$/g, "").split(/[?#]/)[0];
    if (!target || /^(data:|https?:|\/\/|#)/.test(quoted.replace(/^["']/, ""))) continue;
    const file = target.startsWith("/static/build/")
      ? join(out, target.slice("/static/build/".length))
      : join(out, dirname(name), target);
    if (!existsSync(file)) missing.add(`${name} refers to ${target}, which the build does not contain`);
  }
}
if (missing.size) {
  console.error([...missing].join("\n"));
  process.exit(1);
}
console.log(`built ${relative(root, out) || out}`);
