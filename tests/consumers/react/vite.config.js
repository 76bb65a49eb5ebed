import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The react-ts template's configuration.
export default defineConfig({ plugins: [react()] });
