import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { tauriApi } from './ipc';
import { tauriPrefs } from './prefs';
import { recordUncaught } from './lib/uncaught';
import { warmUp } from './lib/warm';

// Every uncaught error is recorded from the start (the App also shows them in its error banner).
window.__ccdeskErrors = [];
window.addEventListener('error', (e) => void recordUncaught(e));
window.addEventListener('unhandledrejection', (e) => void recordUncaught(e));

// Linux takes its fonts from fontconfig's generic families (app.css).
if (/\bLinux\b/.test(navigator.userAgent) && !/\bAndroid\b/.test(navigator.userAgent)) document.documentElement.dataset.platform = 'linux';

const target = document.getElementById('app');
if (!target) throw new Error('missing #app');

const app = mount(App, { target, props: { api: tauriApi, prefs: tauriPrefs } });
// Once the first list is likely on screen: the first transcript's one-off costs, off its path.
setTimeout(warmUp, 1500);

export default app;
