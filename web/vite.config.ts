import { defineConfig, type Plugin } from "vite";
import { compression } from "vite-plugin-compression2";

// The views (src/pages.ts) are imported by the first module only once it has opened the connection, but
// the page asks for them at once, beside it, with the chunks they import (code they share with pages
// loaded on demand, such as the officers' console): on a slow link the downloads share the time to first
// use instead of following one another.
function preloadViews(): Plugin {
  return {
    name: "preload-views",
    apply: "build",
    transformIndexHtml(html, { bundle }) {
      const views = Object.values(bundle ?? {}).find((out) => out.type === "chunk" && out.facadeModuleId?.endsWith("/src/pages.ts"));
      if (!views || views.type !== "chunk") throw new Error("no chunk for src/pages.ts");
      // Those the first module imports are preloaded by Vite already.
      const wanted = [views.fileName, ...views.imports].filter((file) => !html.includes(file));
      // And the views' own styles, which Vite would fetch only on importing them.
      const styles = [...(views.viteMetadata?.importedCss ?? [])];
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
