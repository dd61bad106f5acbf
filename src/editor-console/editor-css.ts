import { BRAND } from '../mail/brand';

const { colors: c, fonts: f, sizes: s } = BRAND;

/** Room for the 600px email beside the article picker on a laptop. */
const CONSOLE_WIDTH = '1240px';

/**
 * The console's additions to the reader pages' stylesheet (site.css, loaded first):
 * a wider frame, the article picker, the email frames and the progress panel.
 * Same brand tokens, so the console looks like the pages and the emails.
 */
export const EDITOR_CSS = `
[hidden] { display: none !important; }
.console main, .console .masthead-inner, .console .site-footer { max-width: ${CONSOLE_WIDTH}; }
/* The cards line up with the wordmark above them. */
.console main { padding: 0 20px; }
@media (max-width: 480px) { .console main { padding: 0 8px; } }
.console .masthead-inner { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 16px; }
.console-label { font-size: ${s.small}; letter-spacing: 0.06em; text-transform: uppercase; color: ${c.accentInk}; }
.masthead .button-link { margin-left: auto; color: ${c.accentInk}; }
.masthead .button-link:focus-visible { outline-color: ${c.accentInk}; }

.button-link {
  min-height: 44px; padding: 0 4px; font: inherit; color: ${c.accent}; background: none; border: 0;
  text-decoration: underline; text-underline-offset: 2px; cursor: pointer;
}
.button-link:hover { text-decoration-thickness: 2px; }
.notice .button-link { min-height: 0; padding: 0; font-weight: 600; }
.button:disabled { opacity: 0.5; cursor: not-allowed; text-decoration: none; }

.key-card { max-width: ${s.contentWidth}; margin: 0 auto; }
.console .card + .card { margin-top: 24px; }
.console h1 { margin-bottom: 16px; }
.console h2 { margin-top: 24px; }
.console h2:first-child { margin-top: 0; }
.console [tabindex="-1"]:focus { outline: none; }
.console [tabindex="-1"]:focus-visible { outline: 3px solid ${c.accent}; outline-offset: 2px; }

.console-nav { display: flex; flex-wrap: wrap; gap: 4px 20px; margin: 0 0 16px; }
.console-nav a { display: inline-flex; align-items: center; min-height: 44px; font-weight: 600; }

input[type="password"], input[type="search"], input[type="datetime-local"], textarea {
  display: block; width: 100%; min-height: 46px; padding: 8px 12px;
  font: inherit; color: ${c.ink}; background: ${c.surface};
  border: 1px solid ${c.muted}; border-radius: ${s.radius};
}
input[type="search"] { appearance: none; }
textarea { min-height: 160px; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 14px; resize: vertical; }
.inline-field { display: flex; gap: 8px; }
.inline-field input { flex: 1 1 auto; min-width: 0; }
.inline-field .button { flex: none; }
.unit { font-weight: normal; color: ${c.muted}; }
.placeholder { margin: 0; padding: 28px 20px; text-align: center; color: ${c.muted}; border: 2px dashed ${c.border}; border-radius: ${s.radius}; }

.alert-layout, .digest-layout { display: grid; grid-template-columns: minmax(0, 1fr); gap: 28px; }
@media (min-width: 1024px) {
  .alert-layout { grid-template-columns: minmax(300px, 5fr) minmax(0, 7fr); gap: 36px; }
  .digest-layout { grid-template-columns: minmax(0, 7fr) minmax(280px, 5fr); gap: 36px; }
  .progress-panel { grid-column: 1 / -1; }
}

.results { list-style: none; margin: 0 0 20px; padding: 0; }
.results li + li { margin-top: 8px; }
.result {
  display: block; width: 100%; min-height: 44px; padding: 12px 14px; text-align: left; cursor: pointer;
  font: inherit; color: ${c.ink}; background: ${c.surface}; border: 1px solid ${c.border}; border-radius: ${s.radius};
}
.result:hover { border-color: ${c.accent}; }
.result[aria-pressed="true"] { background: ${c.chip}; border: 2px solid ${c.accent}; padding: 11px 13px; }
.result-title { display: block; font-family: ${f.heading}; font-size: 17px; font-weight: bold; line-height: 1.3; overflow-wrap: anywhere; }
.result-meta { display: block; margin-top: 4px; font-size: ${s.small}; color: ${c.muted}; overflow-wrap: anywhere; }
.badge { display: inline-block; margin-top: 6px; padding: 1px 8px; font-size: 12px; font-weight: 700; border-radius: 10px; color: ${c.breakingInk}; background: ${c.breaking}; }
.badge-quiet { color: ${c.chipInk}; background: ${c.chip}; }

.paste { margin: 0 0 8px; }
.paste summary { display: flex; align-items: center; min-height: 44px; font-weight: 600; color: ${c.accent}; cursor: pointer; }
.paste[open] summary { margin-bottom: 12px; }

.picked { overflow-wrap: anywhere; }
.audience { display: flex; align-items: baseline; flex-wrap: wrap; gap: 4px 10px; margin: 0 0 18px; padding: 14px 16px; background: ${c.chip}; color: ${c.chipInk}; border-radius: ${s.radius}; }
.audience-count { font-family: ${f.heading}; font-size: 34px; font-weight: bold; line-height: 1; color: ${c.ink}; }

.subject-line { margin: 0 0 10px; padding: 10px 14px; background: ${c.surface}; border: 1px solid ${c.border}; border-radius: ${s.radius}; overflow-wrap: anywhere; }
.subject-label { display: block; font-size: 12px; font-weight: 700; letter-spacing: 0.06em; text-transform: uppercase; color: ${c.muted}; }
.email-preview { margin: 0 0 8px; }
.email-frame { display: block; width: 100%; height: 480px; border: 1px solid ${c.border}; border-radius: ${s.radius}; background: ${c.background}; }

.progress-panel { margin-top: 8px; padding-top: 20px; border-top: 1px solid ${c.border}; }
.progress-state { margin-bottom: 8px; }
.state { text-transform: uppercase; letter-spacing: 0.04em; }
.state[data-state="sent"] { color: ${c.accent}; }
.state[data-state="failed"] { color: ${c.breaking}; }
progress { display: block; width: 100%; height: 14px; margin: 0 0 10px; accent-color: ${c.accent}; }
.counts { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 12px; margin: 0; }
.counts div { padding: 10px 12px; border: 1px solid ${c.border}; border-radius: ${s.radius}; }
.counts dt { font-size: 12px; font-weight: 700; letter-spacing: 0.06em; text-transform: uppercase; color: ${c.muted}; }
.counts dd { margin: 2px 0 0; font-family: ${f.heading}; font-size: 26px; font-weight: bold; }

#options-form fieldset { margin-bottom: 16px; }
.test-blocked { color: ${c.breaking}; }
.table-scroll { max-width: 100%; overflow-x: auto; margin: 16px 0 0; }
.channel-counts { width: 100%; max-width: 480px; border-collapse: collapse; font-size: 15px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.channel-counts caption { text-align: left; font-weight: 700; margin: 0 0 6px; }
.channel-counts th, .channel-counts td { padding: 6px 10px; text-align: right; border-bottom: 1px solid ${c.border}; }
.channel-counts th:first-child { text-align: left; }
.channel-counts thead th { font-size: 12px; letter-spacing: 0.06em; text-transform: uppercase; color: ${c.muted}; }
.channel-counts .na { font-size: 13px; color: ${c.muted}; }
.state[data-state="scheduled"] { color: ${c.chipInk}; }
.state[data-state="cancelled"] { color: ${c.muted}; }

.ids { margin: 0 0 20px; padding-left: 24px; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 14px; overflow-wrap: anywhere; }
.ids:empty::before { content: "none"; font-family: ${f.body}; color: ${c.muted}; }
.plain-text {
  max-height: 520px; margin: 0; padding: 12px 14px; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere;
  font-size: 13px; background: ${c.background}; border: 1px solid ${c.border}; border-radius: ${s.radius};
}

.confirm-dialog { width: min(520px, calc(100vw - 32px)); padding: 24px; color: ${c.ink}; background: ${c.surface}; border: 1px solid ${c.border}; border-radius: ${s.radius}; }
.confirm-dialog::backdrop { background: rgba(27, 27, 31, 0.55); }
.confirm-dialog h2 { margin-top: 0; }

@media (max-width: 480px) {
  .inline-field { flex-direction: column; }
  .counts dd { font-size: 20px; }
  .email-frame { height: 420px; }
}
`;
