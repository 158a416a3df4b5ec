#!/usr/bin/env python3
"""Writes the portal templates of testdata/portals (pages made up here, in the shape of
real portals) and expected.json, the record each article page must give. Run from this folder
after changing it; the e2e test (cmd/crawl/learn_e2e_test.go) reads the files, not this script."""
import json, os, shutil, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

out = os.path.dirname(os.path.abspath(__file__))
expected = {}

def write(path, html):
    p = os.path.join(out, path.lstrip('/'))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, 'w', encoding='utf-8') as f:
        f.write(html)

# ---- 1. flash: a Chinese finance portal of short items -------------------------------------
# A line only this site prints: no rule of the generic path knows it (a portal's usual
# "声明：本文仅代表作者观点…" is a rule's), so only learning the template removes it.
FLASH_STATEMENT = '财讯网所载快讯均为编辑部整理的市场信息，读者据此买卖须自行承担后果。'
flash_items = [
    ('北向资金午后净流入超30亿元', '北向资金午后加速流入，截至收盘净买入超30亿元。'),
    ('央行开展500亿元逆回购操作', '央行今日开展500亿元7天期逆回购操作，中标利率持平。'),
    ('沪指收涨0.8%创业板指涨1.2%', '沪指全天震荡走高，收涨0.8%，创业板指涨1.2%，两市成交额超过九千亿元。'),
    ('国际油价隔夜小幅回落', '国际油价隔夜小幅回落，布伦特原油期货收跌0.6%。'),
    ('人民币中间价上调45个基点', '人民币兑美元中间价报7.1020，上调45个基点。'),
    ('多家券商上调全年盈利预期', '多家券商发布报告上调全年盈利预期，券商板块午后拉升，其中三只个股涨停，板块指数涨超2%。'),
    ('黄金期货夜盘走强', '沪金主力合约夜盘走强，收涨0.9%。'),
    ('光伏组件报价连续三周下调', '主流光伏组件报价连续三周下调，部分型号跌破每瓦一元。'),
]
HOT = ['港口吞吐量再创新高', '新能源车销量同比增长', '跨境电商出口提速', '数字人民币试点扩围', '大宗商品价格企稳',
       '制造业景气回升', '消费券带动零售增长', '科创板新股上市首日大涨', '地方债发行提速', '保险资金加仓权益资产']

def flash_chrome(title, main, crumb):
    # The rail's stories are the site's own articles (the most read of the day).
    hot = ''.join(f'<li><a href="/flash/a/{1001 + i % 8}.html">{h}</a></li>' for i, h in enumerate(HOT))
    nav = ''.join(f'<a href="/flash/{c}/">{n}</a> ' for c, n in [('kuaixun', '快讯'), ('gupiao', '股票'), ('qihuo', '期货')])
    return f'''<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title></head>
<body><div class="top"><a href="/flash/">财讯网首页</a> {nav}</div>
<div class="crumb">{crumb}</div>
<div class="wrap"><div class="main">{main}
<p class="note">{FLASH_STATEMENT}</p></div>
<div class="side"><div class="box"><h3>24小时热门</h3><ul>{hot}</ul></div>
<div class="box"><h3>关注我们</h3><p>扫码关注财讯网官方微信，获取第一手财经资讯。</p></div></div></div>
<div class="foot"><p>关于我们 | 联系我们 | 广告服务</p><p>Copyright © 2024 财讯网 版权所有</p></div>
</body></html>
'''

for i, (title, text) in enumerate(flash_items):
    n = 1001 + i
    cat = 'kuaixun' if i % 2 == 0 else 'gupiao'
    related = ''.join(f'<li><a href="/flash/a/{1001 + (i + k) % len(flash_items)}.html">{flash_items[(i + k) % len(flash_items)][0]}</a></li>' for k in (1, 2, 3))
    main = f'''<h1>{title}</h1>
<div class="info"><span class="time">2024-03-0{1 + i % 8} 1{i % 10}:3{i % 6}</span> <span class="source">来源：[ 财讯网 ]</span></div>
<div class="content"><p>{text}</p></div>
<div class="related"><h3>相关阅读</h3><ul>{related}</ul></div>'''
    write(f'/flash/a/{n}.html', flash_chrome(f'{title}_快讯_财讯网', main, f'<a href="/flash/">首页</a> &gt; <a href="/flash/{cat}/">快讯</a> &gt; 正文'))
    expected[f'/flash/a/{n}.html'] = {'title': title, 'body': text, 'published': f'2024-03-0{1 + i % 8}T1{i % 10}:3{i % 6}:00+08:00', 'source': '财讯网', 'statement': FLASH_STATEMENT}

def flash_list(cat, name, items, page, pages):
    lis = ''.join(f'<li><a href="/flash/a/{1001 + i}.html">{flash_items[i][0]}</a><span class="t">03-0{1 + i % 8} 1{i % 10}:3{i % 6}</span></li>' for i in items)
    pager = ' '.join(f'<a href="/flash/{cat}/{"index" if p == 1 else f"list_{p}"}.html">{p}</a>' for p in range(1, pages + 1))
    if page < pages:
        pager += f' <a href="/flash/{cat}/list_{page + 1}.html">下一页</a>'
    main = f'<h1>{name}</h1><ul class="list">{lis}</ul><div class="pager">{pager}</div>'
    return flash_chrome(f'{name}_财讯网', main, f'<a href="/flash/">首页</a> &gt; {name}')

for cat, name, idx in [('kuaixun', '快讯', [0, 2, 4, 6]), ('gupiao', '股票', [1, 3, 5, 7])]:
    write(f'/flash/{cat}/index.html', flash_list(cat, name, idx[:2], 1, 2))
    write(f'/flash/{cat}/list_2.html', flash_list(cat, name, idx[2:], 2, 2))
write('/flash/qihuo/index.html', flash_list('qihuo', '期货', [], 1, 1))
write('/flash/index.html', flash_list('kuaixun', '财讯网', [0, 1], 1, 1))

# ---- 2. opinion: an English news site whose articles carry "more from" rails ------------------
OP_STATEMENT = 'The views expressed in this article are the author’s own and do not reflect the editorial policy of The Harbour Ledger.'
op_articles = [
    ('Why the ferry timetable needs a rethink', 'Ana Cruz', ['The ferry timetable was drawn up when the town had half its present population, and it shows every morning at the pier.', 'Commuters queue for the seven o’clock sailing while the boat at half past six leaves with empty seats, because it does not meet the first train.', 'A timetable built around the trains rather than the tides would cost nothing and save hundreds of people twenty minutes a day.']),
    ('The library should stay open late', 'Sam Lee', ['Our library closes at six, which is exactly when most people who work could use it.', 'Three evenings a week until nine would cost less than the new signage the council approved last month.']),
    ('Council must publish the harbour survey', 'Mira Patel', ['The survey of the harbour wall was finished in spring, yet the council has still not published a page of it.', 'Residents whose houses sit below the wall have a right to know what the engineers found.', 'Publishing the survey now would end the rumours that have filled the letters page all summer.']),
    ('In praise of the Saturday market', 'Tom Reid', ['The Saturday market has outlived three supermarkets and a shopping centre, and it is busier than ever.', 'Its secret is simple: the people who grow the food are the people who sell it.']),
    ('Cycle lanes are not a luxury', 'Ana Cruz', ['Every winter the same argument returns: cycle lanes are a luxury the town cannot afford.', 'Yet the lanes built two years ago cost less than one roundabout and carry more people at rush hour than the bypass.', 'The question is not whether we can afford more lanes but whether we can afford the traffic without them.']),
    ('What the new school catchment means', 'Sam Lee', ['The new catchment map moves four streets from one secondary school to another.', 'Parents on those streets learned of the change from a leaflet, not a letter, and many only after the deadline for appeals had passed.', 'The council should reopen the appeals window before term begins.']),
]

def op_rail(skip):
    items = ''
    for k in range(15):
        t = op_articles[(skip + 1 + k) % len(op_articles)]
        items += f'<div class="teaser"><h4><a href="/ledger/opinion/{(skip + 1 + k) % len(op_articles) + 1}.html">{t[0]}</a></h4><p>{t[2][0][:70]}…</p></div>'
    return f'<div class="more"><h3>More from Opinion</h3>{items}</div>'

# A portal's side bar of some hundred links (sections, then the archive by month), which
# outweighs a short article's text.
SIDE = ''.join(f'<li><a href="/ledger/opinion/page/{1 + k % 2}.html#{s}">{s.title()}</a></li>' for k, s in enumerate(['news', 'sport', 'business', 'opinion', 'weather', 'letters', 'obituaries', 'events', 'jobs', 'property'])) + \
    ''.join(f'<li><a href="/ledger/opinion/page/{1 + k % 2}.html#m{k}">Archive {2014 + k // 12}-{1 + k % 12:02d}</a></li>' for k in range(90))

def op_page(title, main):
    return f'''<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:site_name" content="The Harbour Ledger"></head>
<body><div id="masthead"><a href="/ledger/">The Harbour Ledger</a></div>
<div id="layout"><div id="sidebar"><ul>{SIDE}</ul></div>
<div id="primary">{main}</div></div>
<div id="colophon"><p>© 2024 The Harbour Ledger. All rights reserved.</p></div></body></html>
'''

for i, (title, author, paras) in enumerate(op_articles):
    n = i + 1
    body = ''.join(f'<p>{p}</p>' for p in paras)
    main = f'''<div class="story"><h1 class="headline">{title}</h1>
<p class="byline">By {author}</p><p class="dateline">March {10 + i}, 2024</p>
<div class="story-body">{body}<p class="endnote"><em>{OP_STATEMENT}</em></p></div></div>{op_rail(i)}'''
    write(f'/ledger/opinion/{n}.html', op_page(f'{title} | The Harbour Ledger', main))
    expected[f'/ledger/opinion/{n}.html'] = {'title': title, 'body': '\n\n'.join(paras), 'published': f'2024-03-{10 + i}T00:00:00Z', 'author': author, 'statement': OP_STATEMENT}

def op_list(page, pages):
    items = ''
    for i in range((page - 1) * 3, min(page * 3, len(op_articles))):
        t = op_articles[i]
        items += f'<div class="teaser"><h2><a href="/ledger/opinion/{i + 1}.html">{t[0]}</a></h2><p>{t[2][0]}</p><p class="byline">By {t[1]}</p></div>'
    nxt = f'<a class="next" href="/ledger/opinion/page/{page + 1}.html">Older articles</a>' if page < pages else ''
    return op_page('Opinion | The Harbour Ledger', f'<h1>Opinion</h1>{items}{nxt}<p class="endnote"><em>{OP_STATEMENT}</em></p>')

write('/ledger/index.html', op_list(1, 2))
write('/ledger/opinion/page/1.html', op_list(1, 2))
write('/ledger/opinion/page/2.html', op_list(2, 2))

# ---- 3. table: a county news site of the 2000s laid out in tables -----------------------------
TB_STATEMENT = '本站声明：凡注明来源为本网的稿件，转载请注明出处。'
tb_articles = [
    ('县城新建三座公园', ['今年县里投资新建的三座公园已经全部完工，将于下月初向市民开放。', '三座公园分别位于城东、城西和老城区，总面积超过二十公顷。', '县园林局表示，公园内将配套建设健身步道和儿童游乐设施。']),
    ('春耕备耕工作有序推进', ['连日来，全县各乡镇抢抓晴好天气，组织农户开展春耕备耕。', '农业部门派出技术人员深入田间地头，指导农户科学施肥。']),
    ('老街改造工程启动', ['备受关注的老街改造工程昨日正式启动，预计年底前完成。', '改造将保留老街原有的青石板路面和传统建筑风貌。', '施工期间，老街部分路段将实行交通管制。']),
    ('县医院新门诊楼投入使用', ['县医院新门诊楼本周投入使用，门诊科室全部搬入新楼。', '新楼设有自助挂号机四十台，群众就医等候时间明显缩短。']),
]

def tb_page(title, content):
    nav = ''.join(f'<td><a href="/county/{c}.html">{n}</a></td>' for c, n in [('index', '首页'), ('list', '本地新闻'), ('list2', '乡镇动态')])
    links = ''.join(f'<tr><td><a href="/county/news/{i + 1}.html">·{t[0]}</a></td></tr>' for i, t in enumerate(tb_articles))
    return f'''<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>{title}</title></head>
<body><table width="980" border="0" align="center"><tr>{nav}</tr></table>
<table width="980" border="0" align="center"><tr>
<td width="720" valign="top">{content}</td>
<td width="260" valign="top"><table><tr><td><b>最新新闻</b></td></tr>{links}</table></td></tr></table>
<table width="980" align="center"><tr><td align="center">{TB_STATEMENT}<br>县融媒体中心 主办 电话：0000-1234567</td></tr></table>
</body></html>
'''

for i, (title, paras) in enumerate(tb_articles):
    n = i + 1
    content = f'''<table width="100%"><tr><td align="center"><font size="4"><b>{title}</b></font></td></tr>
<tr><td align="center">发布时间：2008-0{4 + i}-1{i} 09:0{i}　来源：县融媒体中心</td></tr>
<tr><td class="text">{"<br><br>".join("　　" + p for p in paras)}</td></tr>
<tr><td>{TB_STATEMENT}</td></tr></table>'''
    write(f'/county/news/{n}.html', tb_page(f'{title}--县新闻网', content))
    expected[f'/county/news/{n}.html'] = {'title': title, 'body': '\n\n'.join(paras), 'published': f'2008-0{4 + i}-1{i}T09:0{i}:00+08:00', 'source': '县融媒体中心', 'statement': TB_STATEMENT}

def tb_list(name, idx, nxt):
    rows = ''.join(f'<tr><td>·<a href="/county/news/{i + 1}.html">{tb_articles[i][0]}</a></td><td>2008-0{4 + i}-1{i}</td></tr>' for i in idx)
    more = f'<tr><td><a href="/county/{nxt}.html">下一页</a></td></tr>' if nxt else ''
    return tb_page(f'{name}--县新闻网', f'<table width="100%"><tr><td><b>{name}</b></td></tr>{rows}{more}<tr><td>{TB_STATEMENT}</td></tr></table>')

write('/county/index.html', tb_list('首页', [0, 1], 'list'))
write('/county/list.html', tb_list('本地新闻', [0, 1], 'list2'))
write('/county/list2.html', tb_list('乡镇动态', [2, 3], ''))

# ---- later: articles published after the first crawl, each site's newest listing ---------------
later = {}
flash_later = [('铜价升至三个月高位', '伦铜隔夜升至三个月高位，收涨1.4%。'), ('两市融资余额连续五日增加', '两市融资余额连续第五个交易日增加，较上周末增加八十亿元。')]
for i, (title, text) in enumerate(flash_later):
    n = 2001 + i
    main = f'''<h1>{title}</h1>
<div class="info"><span class="time">2024-03-2{i} 09:1{i}</span> <span class="source">来源：[ 财讯网 ]</span></div>
<div class="content"><p>{text}</p></div>
<div class="related"><h3>相关阅读</h3><ul><li><a href="/flash/a/1001.html">{flash_items[0][0]}</a></li></ul></div>'''
    write(f'/flash/a/{n}.html', flash_chrome(f'{title}_快讯_财讯网', main, '<a href="/flash/">首页</a> &gt; <a href="/flash/kuaixun/">快讯</a> &gt; 正文'))
    later[f'/flash/a/{n}.html'] = {'title': title, 'body': text, 'published': f'2024-03-2{i}T09:1{i}:00+08:00', 'source': '财讯网', 'statement': FLASH_STATEMENT}
lis = ''.join(f'<li><a href="/flash/a/{2001 + i}.html">{t}</a><span class="t">03-2{i} 09:1{i}</span></li>' for i, (t, _) in enumerate(flash_later))
write('/flash/later.html', flash_chrome('最新_财讯网', f'<h1>最新</h1><ul class="list">{lis}</ul>', '最新'))

op_later = [('The bus station deserves better', 'Mira Patel', ['The bus station has not been painted since it opened, and its only clock stopped years ago.', 'A town that wants visitors should greet them with something better than a broken clock.'])]
for i, (title, author, paras) in enumerate(op_later):
    n = 101 + i
    body = ''.join(f'<p>{p}</p>' for p in paras)
    main = f'''<div class="story"><h1 class="headline">{title}</h1>
<p class="byline">By {author}</p><p class="dateline">March {20 + i}, 2024</p>
<div class="story-body">{body}<p class="endnote"><em>{OP_STATEMENT}</em></p></div></div>{op_rail(i)}'''
    write(f'/ledger/opinion/{n}.html', op_page(f'{title} | The Harbour Ledger', main))
    later[f'/ledger/opinion/{n}.html'] = {'title': title, 'body': '\n\n'.join(paras), 'published': f'2024-03-{20 + i}T00:00:00Z', 'author': author, 'statement': OP_STATEMENT}
items = ''.join(f'<div class="teaser"><h2><a href="/ledger/opinion/{101 + i}.html">{t[0]}</a></h2><p>{t[2][0]}</p><p class="byline">By {t[1]}</p></div>' for i, t in enumerate(op_later))
# The newest listing shows the new article over the two before it, as any latest page does.
items += ''.join(f'<div class="teaser"><h2><a href="/ledger/opinion/{i + 1}.html">{op_articles[i][0]}</a></h2><p>{op_articles[i][2][0]}</p><p class="byline">By {op_articles[i][1]}</p></div>' for i in (5, 4))
write('/ledger/later.html', op_page('Latest | The Harbour Ledger', f'<h1>Latest</h1>{items}<p class="endnote"><em>{OP_STATEMENT}</em></p>'))

tb_later = [('县图书馆延长开放时间', ['县图书馆从本月起延长开放时间，每天开放到晚上九点。', '图书馆同时新增自习座位一百个。'])]
for i, (title, paras) in enumerate(tb_later):
    n = 101 + i
    content = f'''<table width="100%"><tr><td align="center"><font size="4"><b>{title}</b></font></td></tr>
<tr><td align="center">发布时间：2008-09-0{1 + i} 10:0{i}　来源：县融媒体中心</td></tr>
<tr><td class="text">{"<br><br>".join("　　" + p for p in paras)}</td></tr>
<tr><td>{TB_STATEMENT}</td></tr></table>'''
    write(f'/county/news/{n}.html', tb_page(f'{title}--县新闻网', content))
    later[f'/county/news/{n}.html'] = {'title': title, 'body': '\n\n'.join(paras), 'published': f'2008-09-0{1 + i}T10:0{i}:00+08:00', 'source': '县融媒体中心', 'statement': TB_STATEMENT}
rows = ''.join(f'<tr><td>·<a href="/county/news/{101 + i}.html">{t}</a></td><td>2008-09-0{1 + i}</td></tr>' for i, (t, _) in enumerate(tb_later))
write('/county/later.html', tb_page('最新--县新闻网', f'<table width="100%"><tr><td><b>最新</b></td></tr>{rows}<tr><td>{TB_STATEMENT}</td></tr></table>'))

with open(os.path.join(out, 'later.json'), 'w', encoding='utf-8') as f:
    json.dump(later, f, ensure_ascii=False, indent=1, sort_keys=True)
    f.write('\n')

import generate_more  # noqa: E402  (the templates roll, press and metro)
generate_more.add(write, expected)

with open(os.path.join(out, 'expected.json'), 'w', encoding='utf-8') as f:
    json.dump(expected, f, ensure_ascii=False, indent=1, sort_keys=True)
    f.write('\n')
