import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { tauriApi } from './ipc';
import { recordUncaught } from './lib/uncaught';

// Every uncaught error is recorded from the start (the App also shows them in its error banner).
window.__ccdeskErrors = [];
window.addEventListener('error', (e) => void recordUncaught(e));
window.addEventListener('unhandledrejection', (e) => void recordUncaught(e));

const target = document.getElementById('app');
if (!target) throw new Error('missing #app');

export default mount(App, { target, props: { api: tauriApi } });
