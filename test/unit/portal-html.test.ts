/** The portal's html template: every interpolated value escaped, nested templates and lists kept as markup. */
import { describe, expect, it } from 'vitest';
import { html, raw } from '../../api/portal/html';

describe('html', () => {
  it('escapes what a user typed, in text and in attributes', () => {
    const name = `<script>alert("x")</script> & 'Batik'`;
    expect(html`<p title="${name}">${name}</p>`.text).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Batik&#39;">' +
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Batik&#39;</p>',
    );
  });

  it('keeps nested templates and lists as markup, and renders nothing for null, undefined and false', () => {
    const items = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
    // prettier-ignore
    const list = html`<ul>${items}</ul>${null}${undefined}${false}${0}`;
    expect(list.text).toBe('<ul><li>a&lt;b</li><li>c</li></ul>0');
  });

  it('inserts raw text only when asked', () => {
    expect(html`${raw('<hr />')}${'<hr />'}`.text).toBe('<hr />&lt;hr /&gt;');
  });
});
