// Compiles GOV.UK Frontend (with our settings) and copies the browser assets Saferplan serves.
// Output goes to saferplan/static/build/, which is generated and not committed.
import { compile } from "sass";
import { cpSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "saferplan", "static", "build");
const modules = join(root, "node_modules");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const css = compile(join(root, "frontend", "saferplan.scss"), {
  loadPaths: [modules, join(modules, "govuk-frontend", "dist")],
  style: "compressed",
  quietDeps: true,
});
writeFileSync(join(out, "saferplan.css"), css.css);

const govuk = join(modules, "govuk-frontend", "dist", "govuk");
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
// Images only: the fonts are GDS Transport, which a non-GOV.UK service may not use.
mkdirSync(join(out, "assets", "images"), { recursive: true });
for (const name of ["favicon.ico"]) {
  cpSync(join(govuk, "assets", "images", name), join(out, "assets", "images", name));
}
cpSync(join(modules, "leaflet", "dist"), join(out, "leaflet"), { recursive: true });
console.log(`built ${out}`);
