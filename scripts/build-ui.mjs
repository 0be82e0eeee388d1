// Builds the web UI's front end (src/ui/web) into dist-ui/: one bundled app.js with uPlot, one
// app.css, index.html. Runs on `npm install` / `npm ci` (prepare) and with `npm run build:ui`;
// the engine serves these files, nothing is fetched from outside the machine.
import { copyFileSync, mkdirSync } from "node:fs";
import { build } from "esbuild";

mkdirSync("dist-ui", { recursive: true });
await build({
  entryPoints: ["src/ui/web/app.js"],
  bundle: true,
  minify: true,
  sourcemap: true,
  format: "iife",
  target: "es2020",
  outfile: "dist-ui/app.js",
  logLevel: "warning",
});
copyFileSync("src/ui/web/index.html", "dist-ui/index.html");
console.log("web UI built in dist-ui/");
