import HtmlWebpackPlugin from 'html-webpack-plugin';

// webpack 5's defaults (entry ./src/index.js, output dist/), plus a page to load the bundle.
export default {
  mode: 'production',
  plugins: [new HtmlWebpackPlugin({ title: 'localrank in a webpack app', favicon: false })],
};
