import { defineConfig, type Plugin } from "vite";
import { compression } from "vite-plugin-compression2";

// The views (src/pages.ts) are imported by the first module only once it has opened the connection, but
// the page asks for them at once, beside it, with the chunks they import (code they share with pages
// loaded on demand, such as the officers' console): on a slow link the downloads share the time to first
// use instead of following one another. What the views load on demand (the room's panels, other pages)
// is not asked for.
function preloadViews(): Plugin {
  return {
    name: "preload-views",
    apply: "build",
    transformIndexHtml(html, { bundle }) {
      const chunks = Object.values(bundle ?? {}).filter((out) => out.type === "chunk");
      const views = chunks.find((out) => out.facadeModuleId?.endsWith("/src/pages.ts"));
      if (!views) throw new Error("no chunk for src/pages.ts");
      // The views and every chunk they import, however deep (a chunk's imports are fetched only once it
      // has arrived: one more round trip each).
      const needed = new Set<string>();
      const visit = (file: string): void => {
        if (needed.has(file)) return;
        needed.add(file);
        for (const imported of chunks.find((out) => out.fileName === file)?.imports ?? []) visit(imported);
      };
      visit(views.fileName);
      // Those the first module imports are preloaded by Vite already.
      const wanted = [...needed].filter((file) => !html.includes(file));
      // And their own styles, which Vite would fetch only on importing them.
      const styles = chunks.filter((out) => needed.has(out.fileName)).flatMap((out) => [...(out.viteMetadata?.importedCss ?? [])]);
      return [
        ...wanted.map((file) => ({ tag: "link", attrs: { rel: "modulepreload", crossorigin: true, href: `/${file}`, fetchpriority: "low" }, injectTo: "head" as const })),
        ...styles.map((file) => ({ tag: "link", attrs: { rel: "preload", as: "style", href: `/${file}`, fetchpriority: "low" }, injectTo: "head" as const })),
      ];
    },
  };
}

// Built assets are served by the hub (signalling/assets.py) from signalling/static. Every asset is also
// written compressed beside itself (name.js.br, name.js.gz), which the hub sends to a browser that
// accepts it: members join over slow mobile links, and compressing once here costs nothing per request.
export default defineConfig({
  build: {
    outDir: "../signalling/static",
    emptyOutDir: true,
    // Read by the hub to name each language's catalogue in the page's Link header (signalling/assets.py).
    manifest: true,
    rolldownOptions: {
      output: {
        codeSplitting: {
          // A few chunks rather than one per shared module: a browser fetches six files at a time from
          // a host over HTTP/1.1, and on a slow link each file waiting its turn costs a round trip. What
          // the first module needs (the store, the catalogues' loader) goes with it; the small modules
          // every page's views share go with preact and i18next.
          groups: [
            { name: "boot", test: /[\\/]src[\\/](catalogues|store)\.ts$/, priority: 2 },
            { name: "ui", test: /[\\/]src[\\/](actions|attendance|errors|forwarding|i18n|livehls|phrases|time|ui)\.tsx?$/, priority: 1 },
          ],
        },
      },
    },
  },
  plugins: [
    preloadViews(),
    compression({
      include: /^assets\/.+\.(js|css)$/,
      algorithms: ["brotliCompress", "gzip"],
      logLevel: "silent",
    }),
  ],
});
