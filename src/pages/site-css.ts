import { BRAND } from '../mail/brand';

const { colors: c, fonts: f, sizes: s } = BRAND;

/**
 * The pages' one stylesheet, made from the same brand tokens as the emails so that a
 * reader moving from an email to a page sees one publication. Served from our origin:
 * the CSP allows no inline style. Colour pairs keep WCAG AA contrast (ink, muted,
 * accent and breaking on surface; chipInk on chip; accentInk on accent).
 */
export const SITE_CSS = `
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; background: ${c.background}; color: ${c.ink};
  font-family: ${f.body}; font-size: 16px; line-height: 1.5;
}
a { color: ${c.accent}; text-underline-offset: 2px; }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid ${c.accent}; outline-offset: 2px; }

.skip-link { position: absolute; left: 8px; top: -48px; padding: 8px 12px; background: ${c.surface}; color: ${c.accent}; z-index: 1; }
.skip-link:focus { top: 8px; }

.masthead { background: ${c.accent}; color: ${c.accentInk}; }
/* Lines the wordmark up with the card's text: main's padding + the card's border and padding. */
.masthead-inner { max-width: ${s.contentWidth}; margin: 0 auto; padding: 14px 37px; }
.wordmark { font-family: ${f.heading}; font-size: 24px; font-weight: bold; color: ${c.accentInk}; text-decoration: none; }
.wordmark:focus-visible { outline-color: ${c.accentInk}; }

main { display: block; max-width: ${s.contentWidth}; margin: 24px auto; padding: 0 12px; }
.card { background: ${c.surface}; border: 1px solid ${c.border}; border-radius: ${s.radius}; padding: 28px 24px; }
@media (max-width: 480px) {
  .masthead-inner { padding: 12px 25px; }
  main { margin: 12px auto; padding: 0 8px; }
  .card { padding: 20px 16px; }
}

h1 { font-family: ${f.heading}; font-size: ${s.headline}; line-height: 1.25; margin: 0 0 12px; }
h2 { font-family: ${f.heading}; font-size: ${s.title}; line-height: 1.3; margin: 0 0 8px; }
p { margin: 0 0 14px; }
.lede { color: ${c.muted}; }
.small { font-size: 14px; color: ${c.muted}; }

form { margin: 0; }
.field, fieldset { margin: 0 0 22px; }
fieldset { border: 0; padding: 0; min-width: 0; }
label, legend { display: block; font-weight: 600; margin: 0 0 6px; padding: 0; }
.hint { display: block; font-weight: normal; font-size: 14px; color: ${c.muted}; margin: -2px 0 8px; }
input[type="email"], input[type="text"], select {
  display: block; width: 100%; min-height: 46px; padding: 8px 12px;
  font: inherit; color: ${c.ink}; background: ${c.surface};
  border: 1px solid ${c.muted}; border-radius: ${s.radius};
}
select { appearance: auto; }
input[aria-invalid="true"], select[aria-invalid="true"] { border: 2px solid ${c.breaking}; }
.row { display: grid; grid-template-columns: 1fr 1fr; gap: 0 16px; }
@media (max-width: 480px) { .row { grid-template-columns: 1fr; } }

.chips { display: flex; flex-wrap: wrap; gap: 8px; }
.chip, .choice {
  display: inline-flex; align-items: center; gap: 8px; min-height: 44px; margin: 0; padding: 6px 14px;
  font-weight: normal; color: ${c.chipInk}; background: ${c.surface};
  border: 1px solid ${c.border}; border-radius: 22px; cursor: pointer;
}
.choice { border-radius: ${s.radius}; color: ${c.ink}; }
.chip:has(input:checked), .choice:has(input:checked) { background: ${c.chip}; border-color: ${c.chipInk}; }
.chip:has(input:focus-visible), .choice:has(input:focus-visible) { outline: 3px solid ${c.accent}; outline-offset: 2px; }
.chip input, .choice input { width: 18px; height: 18px; margin: 0; accent-color: ${c.accent}; }
.chip input:focus-visible, .choice input:focus-visible { outline: none; }
.count { font-size: ${s.small}; color: ${c.muted}; }
.choices { display: flex; flex-wrap: wrap; gap: 8px; }
form:has(input[name="frequency"][value="daily"]:checked) .weekly-only { display: none; }
form:has(input[name="frequency"][value="daily"]:checked) .row { grid-template-columns: 1fr; }

.button {
  display: inline-flex; align-items: center; justify-content: center; min-height: 48px; padding: 10px 22px;
  font: inherit; font-weight: 700; line-height: 1.2; text-decoration: none; cursor: pointer;
  color: ${c.accentInk}; background: ${c.accent}; border: 2px solid ${c.accent}; border-radius: ${s.radius};
}
.button:hover { text-decoration: underline; }
.button-secondary { color: ${c.accent}; background: ${c.surface}; }
.button-danger { color: ${c.breakingInk}; background: ${c.breaking}; border-color: ${c.breaking}; }
.button-danger:focus-visible { outline-color: ${c.breaking}; }
.actions { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 8px 0 18px; }
@media (max-width: 480px) { .actions .button { width: 100%; } }

.notice { margin: 0 0 22px; padding: 12px 16px; border-left: 4px solid ${c.accent}; background: ${c.chip}; color: ${c.chipInk}; }
.notice p:last-child, .notice ul:last-child { margin-bottom: 0; }
.notice-error { border-left-color: ${c.breaking}; background: ${c.surface}; color: ${c.ink}; outline: 1px solid ${c.border}; }
.notice-error h2 { color: ${c.breaking}; font-size: 17px; }
.notice ul { margin: 6px 0 0; padding-left: 20px; }
.field-error { display: block; margin: 0 0 8px; font-size: 14px; font-weight: 600; color: ${c.breaking}; }

.section { margin-top: 28px; padding-top: 22px; border-top: 1px solid ${c.border}; }
.confirm-check { display: flex; gap: 10px; align-items: flex-start; font-weight: normal; margin: 0 0 14px; }
.confirm-check input { width: 20px; height: 20px; margin: 2px 0 0; flex: none; accent-color: ${c.breaking}; }

/* The push opt-in's button stays hidden until its script has checked the browser can do push. */
.push-opt-in .button[hidden] { display: none; }

.site-footer { max-width: ${s.contentWidth}; margin: 0 auto 32px; padding: 0 20px; text-align: center; font-size: ${s.small}; color: ${c.muted}; }
`;
