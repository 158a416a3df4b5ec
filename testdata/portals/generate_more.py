"""Three more portal templates for testdata/portals, each unlike flash, ledger and county and
like a kind of real portal (pages and sentences made up here): generate.py calls add(write,
expected) before it writes expected.json.

roll   a Sina/163-style roll site: category pages list_1.shtml, list_2.shtml… of 20 items
       (thumbnail, headline, time, one-line summary), a home page of headline blocks, articles
       of one to three sentences under a "24小时热门" ranking rail, a "相关阅读" box of other
       articles' headlines with their times, an outlet shown without a label beside the time and
       a statement line under every article.
press  a WordPress news theme in English: home, /page/2/, /category/x/, /tag/x/ (one of them
       with a single post whose excerpt is its whole text), /author/y/ archives of <article>
       items (h2 link, excerpt, "Read more"); posts in <article><header><h1> with <time>, a
       related-posts grid of cards, a widget side bar, comments form.
metro  a Chinese city paper: the home page is a grid of cards; each category page opens with
       its newest story's headline and full first paragraph (a lead block that looks like an
       article: headline linked on one, a bare heading with "阅读全文" on the other) above a
       dated list; a search page (/metro/search?q=) of two results.
"""

ROLL_STATEMENT = '声明：本文仅代表作者观点，不代表汇通财经立场。文章内容仅供参考，不构成投资建议，投资者据此操作，风险自担。'

# Thirty short items, made from a few kinds of market news: (headline, sentences).
_places = ['宁波', '青岛', '厦门', '天津', '广州', '大连']
_goods = ['铁矿石', '动力煤', '生猪', '白糖', '棉花', '螺纹钢']
_firms = ['华岳科技', '东川电力', '海澄药业', '北辰物流', '瑞丰银行', '星河汽车']


def roll_items():
    out = []
    for k in range(6):
        out.append((f'{_places[k]}港上月集装箱吞吐量同比增长{5 + k}%',
                    [f'{_places[k]}港上月完成集装箱吞吐量{120 + 7 * k}万标箱，同比增长{5 + k}%。']))
        out.append((f'{_goods[k]}期货主力合约午后拉升{1 + k % 3}%',
                    [f'{_goods[k]}期货主力合约午后快速拉升，收盘涨{1 + k % 3}.{k}%。',
                     f'分析人士认为，近期下游补库需求回暖是{_goods[k]}价格走强的主要原因。']))
        out.append((f'{_firms[k]}发布年度业绩预告',
                    [f'{_firms[k]}晚间发布年度业绩预告，预计全年净利润同比增长{20 + 3 * k}%至{30 + 3 * k}%。',
                     f'公司表示，业绩增长主要来自主营业务订单增加和成本下降。',
                     f'截至今日收盘，{_firms[k]}股价报{10 + k}.{k + 2}元。']))
        out.append((f'{_places[k]}出台支持民营企业发展十条措施',
                    [f'{_places[k]}市政府日前出台支持民营企业发展的十条措施，涉及融资、用地和人才等方面。',
                     f'其中，对首次上市的民营企业给予一次性奖励。']))
        out.append((f'{_firms[k]}股东拟减持不超过2%股份',
                    [f'{_firms[k]}公告称，持股5%以上股东计划在未来三个月内减持不超过公司总股本2%的股份。']))
    return out


def roll_time(i):
    # Newest first: item 0 is the latest.
    day, minute = 28 - i // 8, 59 - (i * 7) % 60
    hour = 18 - i % 8
    return f'2024-02-{day:02d}', f'{hour:02d}:{minute:02d}'


def add(write, expected):
    _roll(write, expected)
    _press(write, expected)
    _metro(write, expected)


def _roll(write, expected):
    items = roll_items()
    path = lambda i: f'/roll/2024-02-{roll_time(i)[0][-2:]}/doc-ihx{7301 + i}.shtml'
    outlets = ['证券日报', '上海证券报', '每日经济新闻', '中国证券网']
    rank = ''.join(f'<li><span class="num n{k + 1}">{k + 1}</span><a href="{path((k * 5 + 3) % 30)}" target="_blank">{items[(k * 5 + 3) % 30][0]}</a><span class="clicks">{30 - k}.{k}万</span></li>' for k in range(10))
    chans = [('finance', '财经'), ('stock', '股票'), ('tech', '科技')]

    def page(title, main, side_extra=''):
        nav = ''.join(f'<li><a href="/roll/{c}/list_1.shtml">{n}</a></li>' for c, n in chans)
        return f'''<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title>
<meta name="keywords" content="汇通财经,滚动新闻"><link rel="stylesheet" href="/roll/css/main.css"></head>
<body><div class="top-bar"><a href="/roll/">汇通财经首页</a> <ul class="nav">{nav}</ul>
<div class="login"><a href="/roll/login.shtml">登录</a> <a href="/roll/reg.shtml">注册</a></div></div>
<div class="blk-main">{main}</div>
<div class="blk-side">{side_extra}<div class="rank-box"><div class="rank-title">24小时热门</div><ol class="rank-list">{rank}</ol></div>
<div class="app-box"><img src="/roll/img/qr.png" alt="下载汇通财经客户端"><p>下载汇通财经APP，随时随地看行情。</p></div></div>
<div class="footer"><p><a href="/roll/about.shtml">关于汇通</a> | <a href="/roll/ad.shtml">广告服务</a> | <a href="/roll/jobs.shtml">招聘信息</a></p>
<p>汇通财经 版权所有 Copyright © 2024 增值电信业务经营许可证 京B2-2024000</p></div></body></html>
'''

    for i, (title, paras) in enumerate(items):
        day, hm = roll_time(i)
        rel = ''.join(f'<li><a href="{path((i + k) % 30)}">{items[(i + k) % 30][0]}</a><span class="time">{roll_time((i + k) % 30)[0][5:]} {roll_time((i + k) % 30)[1]}</span></li>' for k in (1, 2, 4, 7, 11))
        body = ''.join(f'<p>　　{p}</p>' for p in paras)
        outlet = outlets[i % 4]
        y, m, d = day.split('-')
        main = f'''<div class="main-content"><h1 class="main-title">{title}</h1>
<div class="top-bar-wrap"><div class="date-source"><span class="date">{y}年{m}月{d}日 {hm}</span> <a class="source ent-source" href="http://www.example.com/{i % 4}" target="_blank">{outlet}</a></div>
<div class="share"><a href="#">微博</a> <a href="#">微信</a></div></div>
<div class="article" id="artibody">{body}
<p class="show_author">责任编辑：王{"明亮磊"[i % 3]}</p></div>
<p class="article-statement">{ROLL_STATEMENT}</p>
<div class="related-news"><h3 class="tit">相关阅读</h3><ul>{rel}</ul></div></div>'''
        write(path(i), page(f'{title}_财经频道_汇通财经', main))
        expected[path(i)] = {'title': title, 'body': '\n\n'.join(paras), 'published': f'{day}T{hm}:00+08:00',
                             'statement': ROLL_STATEMENT}

    def summary(i):
        s = items[i][1][0]
        return s if len(s) <= 34 else s[:33] + '…'

    def roll_list(chan, name, idx, page_no, pages):
        lis = ''
        for i in idx:
            day, hm = roll_time(i)
            lis += f'''<div class="feed-card-item"><div class="feed-card-img"><a href="{path(i)}" target="_blank"><img src="/roll/img/t{i}.jpg" alt=""></a></div>
<h2><a href="{path(i)}" target="_blank">{items[i][0]}</a></h2>
<div class="feed-card-txt"><span class="feed-card-txt-summary">{summary(i)}</span></div>
<div class="feed-card-a"><span class="feed-card-time">{day[5:]} {hm}</span> <span class="feed-card-tags">{name}</span></div></div>'''
        cur = ' class="cur"'
        pager = ''.join(f'<a href="/roll/{chan}/list_{p}.shtml"{cur if p == page_no else ""}>{p}</a> ' for p in range(1, pages + 1))
        if page_no < pages:
            pager += f'<a href="/roll/{chan}/list_{page_no + 1}.shtml">下一页</a>'
        main = f'<div class="crumb"><a href="/roll/">首页</a> &gt; {name}滚动</div><div class="feed-card">{lis}</div><div class="pagebox">{pager}</div>'
        return page(f'{name}滚动新闻_汇通财经', main)

    write('/roll/finance/list_1.shtml', roll_list('finance', '财经', range(0, 20), 1, 2))
    write('/roll/finance/list_2.shtml', roll_list('finance', '财经', range(20, 30), 2, 2))
    write('/roll/stock/list_1.shtml', roll_list('stock', '股票', [i for i in range(30) if i % 5 in (2, 4)] + [i for i in range(30) if i % 5 == 0][:8], 1, 1))
    write('/roll/tech/list_1.shtml', roll_list('tech', '科技', [], 1, 1))
    # The home page: blocks of bare headlines, the first of each in bold with a line under it.
    blocks = ''
    for b, (c, n) in enumerate(chans):
        idx = list(range(b * 10, b * 10 + 10))
        lead = f'<h3><a href="{path(idx[0])}">{items[idx[0]][0]}</a></h3><p class="lead">{summary(idx[0])}</p>'
        lis = ''.join(f'<li><a href="{path(i)}">{items[i][0]}</a></li>' for i in idx[1:])
        blocks += f'<div class="blk"><div class="blk-tit"><a href="/roll/{c}/list_1.shtml">{n}</a></div>{lead}<ul>{lis}</ul></div>'
    write('/roll/index.html', page('汇通财经_财经资讯_行情数据', blocks))


PRESS_SITE = 'The Quay Post'
press_posts = [
    ('harbour', 'Ana Cruz', ['ferries', 'transport'], 'New ferry berth opens at the north quay',
     ['The new ferry berth at the north quay opened on Monday, six weeks ahead of schedule.',
      'The berth lets two boats load at once, which the operator says will cut the morning queue by half.',
      'Work on a covered waiting area beside it starts in the summer.']),
    ('harbour', 'Tom Reid', ['fishing'], 'Fish market moves to earlier hours',
     ['The quayside fish market will open at five instead of six from next month, after traders asked for longer mornings.',
      'Buyers from the town’s restaurants say the change suits them too.']),
    ('council', 'Mira Patel', ['budget'], 'Council agrees a smaller rise in parking fees',
     ['Councillors voted on Tuesday for a rise in parking fees of five pence an hour, half what officers had proposed.',
      'The smaller rise leaves a gap of forty thousand pounds in next year’s budget, which the finance committee will try to close from reserves.',
      'Traders on the high street, who had campaigned against the larger increase, welcomed the vote.',
      'The new fees take effect in April.']),
    ('council', 'Ana Cruz', ['budget', 'schools'], 'School repairs top the capital plan',
     ['Roof repairs at three primary schools head the council’s capital plan for the coming year.',
      'The plan sets aside one point two million pounds for the work, to be done over the summer holidays.']),
    ('culture', 'Sam Lee', ['music'], 'Brass band wins regional title',
     ['The town’s brass band won the regional championship in its section on Saturday, its first title in eleven years.',
      'The band now goes to the national finals in the autumn.']),
    ('culture', 'Tom Reid', ['books'], 'Library book sale raises record sum',
     ['The annual book sale at the central library raised more than three thousand pounds, a record for the event.']),
    ('harbour', 'Mira Patel', ['transport'], 'Harbour bus route to run on Sundays',
     ['The harbour bus route will run on Sundays from May, the operator confirmed.',
      'Until now the route has stopped on Saturday evening, leaving the quay without a bus for a day and a half.',
      'The Sunday service will run every forty minutes.']),
    ('council', 'Sam Lee', ['planning'], 'Plans lodged for homes on the old rope works',
     ['A developer has lodged plans for sixty homes on the site of the old rope works beside the river.',
      'A third of the homes would be offered at below market rent.',
      'The plans go before the planning committee in June.']),
]


def press_slug(t):
    return ''.join(c if c.isalnum() else '-' for c in t.lower().replace('’', '')).strip('-')


def press_path(i):
    return f'/press/2024/03/{press_slug(press_posts[i][3])}/'


def press_excerpt(paras):
    # WordPress's automatic excerpt: the first 55 words, "[…]" when the text is longer.
    words = ' '.join(paras).split()
    return ' '.join(words[:55]) + (' […]' if len(words) > 55 else '')


def _press(write, expected):
    def when(i):
        return f'2024-03-{20 - 2 * i:02d}', f'{8 + i:02d}:{(i * 13) % 60:02d}'

    cats = {'harbour': 'Harbour', 'council': 'Council', 'culture': 'Culture'}

    def page(title, main, og_type='website', extra_head=''):
        recent = ''.join(f'<li><a href="{press_path(i)}">{press_posts[i][3]}</a></li>' for i in range(5))
        tags = sorted({t for p in press_posts for t in p[2]})
        cloud = ' '.join(f'<a href="/press/tag/{t}/" class="tag-cloud-link" style="font-size: {8 + len(t) % 5}pt;">{t}</a>' for t in tags)
        catl = ''.join(f'<li class="cat-item"><a href="/press/category/{c}/">{n}</a> ({sum(1 for p in press_posts if p[0] == c)})</li>' for c, n in cats.items())
        return f'''<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="UTF-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><meta property="og:type" content="{og_type}"><meta property="og:site_name" content="{PRESS_SITE}">{extra_head}
<link rel="stylesheet" href="/press/wp-content/themes/newsup/style.css"></head>
<body class="home blog">
<div id="page" class="site"><a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header id="masthead" class="site-header"><div class="site-branding"><p class="site-title"><a href="/press/" rel="home">{PRESS_SITE}</a></p><p class="site-description">News from the harbour town</p></div>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">{"".join(f'<li><a href="/press/category/{c}/">{n}</a></li>' for c, n in cats.items())}</ul></nav></header>
<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">{main}</main></div>
<aside id="secondary" class="widget-area"><section class="widget widget_search"><form role="search" action="/press/"><input type="search" name="s"><button>Search</button></form></section>
<section class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2><ul>{recent}</ul></section>
<section class="widget widget_categories"><h2 class="widget-title">Categories</h2><ul>{catl}</ul></section>
<section class="widget widget_tag_cloud"><h2 class="widget-title">Tags</h2><div class="tagcloud">{cloud}</div></section></aside></div>
<footer id="colophon" class="site-footer"><div class="site-info">© 2024 {PRESS_SITE}. Proudly powered by WordPress | Theme: Newsup</div></footer></div></body></html>
'''

    for i, (cat, author, tags, title, paras) in enumerate(press_posts):
        day, hm = when(i)
        iso = f'{day}T{hm}:00+00:00'
        related = ''
        for k in (1, 2, 3):
            j = (i + k) % len(press_posts)
            related += f'''<div class="related-post-item"><a href="{press_path(j)}" class="related-thumb"><img src="/press/wp-content/uploads/2024/03/{j}.jpg" alt=""></a>
<h4 class="related-title"><a href="{press_path(j)}">{press_posts[j][3]}</a></h4><time datetime="{when(j)[0]}">{when(j)[0]}</time></div>'''
        taglinks = ', '.join(f'<a href="/press/tag/{t}/" rel="tag">{t}</a>' for t in tags)
        prev = press_posts[(i + 1) % len(press_posts)][3]
        nxt = press_posts[(i - 1) % len(press_posts)][3]
        body = ''.join(f'<p>{p}</p>' for p in paras)
        dt = f'{["", "January", "February", "March"][3]} {int(day[-2:])}, 2024'
        main = f'''<article id="post-{301 + i}" class="post-{301 + i} post type-post status-publish format-standard category-{cat}">
<header class="entry-header"><div class="cat-links"><a href="/press/category/{cat}/" rel="category tag">{cats[cat]}</a></div>
<h1 class="entry-title">{title}</h1>
<div class="entry-meta"><span class="posted-on">Posted on <a href="{press_path(i)}" rel="bookmark"><time class="entry-date published" datetime="{iso}">{dt}</time></a></span>
<span class="byline"> by <span class="author vcard"><a class="url fn n" href="/press/author/{press_slug(author)}/">{author}</a></span></span></div></header>
<div class="post-thumbnail"><img src="/press/wp-content/uploads/2024/03/{i}.jpg" alt=""></div>
<div class="entry-content">{body}</div>
<footer class="entry-footer"><span class="tags-links">Tagged {taglinks}</span></footer></article>
<nav class="navigation post-navigation"><div class="nav-links"><div class="nav-previous"><a href="{press_path((i + 1) % len(press_posts))}" rel="prev">{prev}</a></div><div class="nav-next"><a href="{press_path((i - 1) % len(press_posts))}" rel="next">{nxt}</a></div></div></nav>
<div class="related-posts"><h3 class="related-posts-title">You may also like</h3><div class="related-posts-grid">{related}</div></div>
<div id="comments" class="comments-area"><div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
<form action="/press/wp-comments-post.php" method="post" id="commentform"><p class="comment-notes">Your email address will not be published.</p><textarea name="comment"></textarea><input name="submit" type="submit" value="Post Comment"></form></div></div>'''
        head = f'<meta property="article:published_time" content="{iso}"><meta property="og:title" content="{title} - {PRESS_SITE}">'
        write(press_path(i) + 'index.html', page(f'{title} - {PRESS_SITE}', main, 'article', head))
        expected[press_path(i)] = {'title': title, 'body': '\n\n'.join(paras), 'published': f'{day}T{hm}:00Z', 'author': author}

    def archive(path, title, heading, idx, older=''):
        items = ''
        for i in idx:
            cat, author, tags, t, paras = press_posts[i]
            day, hm = when(i)
            items += f'''<article id="post-{301 + i}" class="post-{301 + i} post type-post status-publish category-{cat}">
<div class="post-thumbnail"><a href="{press_path(i)}"><img src="/press/wp-content/uploads/2024/03/{i}.jpg" alt=""></a></div>
<header class="entry-header"><h2 class="entry-title"><a href="{press_path(i)}" rel="bookmark">{t}</a></h2>
<div class="entry-meta"><span class="posted-on"><time class="entry-date published" datetime="{day}T{hm}:00+00:00">March {int(day[-2:])}, 2024</time></span> <span class="byline">by <a href="/press/author/{press_slug(author)}/">{author}</a></span></div></header>
<div class="entry-summary"><p>{press_excerpt(paras)}</p></div>
<a class="more-link" href="{press_path(i)}">Read more</a></article>'''
        nav = f'<nav class="navigation pagination"><div class="nav-links">{older}</div></nav>' if older else ''
        head = f'<header class="page-header"><h1 class="page-title">{heading}</h1></header>' if heading else ''
        write(path + 'index.html', page(title, head + items + nav))

    archive('/press/', f'{PRESS_SITE} - News from the harbour town', '', range(0, 5),
            '<span class="page-numbers current">1</span> <a class="page-numbers" href="/press/page/2/">2</a> <a class="next page-numbers" href="/press/page/2/">Next</a>')
    archive('/press/page/2/', f'{PRESS_SITE} - Page 2 of 2', '', range(5, 8),
            '<a class="prev page-numbers" href="/press/">Previous</a> <a class="page-numbers" href="/press/">1</a>')
    for c, n in cats.items():
        archive(f'/press/category/{c}/', f'{n} Archives - {PRESS_SITE}', f'Category: <span>{n}</span>',
                [i for i, p in enumerate(press_posts) if p[0] == c])
    for t in sorted({t for p in press_posts for t in p[2]}):
        archive(f'/press/tag/{t}/', f'{t} Archives - {PRESS_SITE}', f'Tag: <span>{t}</span>',
                [i for i, p in enumerate(press_posts) if t in p[2]])
    for a in sorted({p[1] for p in press_posts}):
        archive(f'/press/author/{press_slug(a)}/', f'{a}, Author at {PRESS_SITE}', f'Author: <span class="vcard">{a}</span>',
                [i for i, p in enumerate(press_posts) if p[1] == a])


metro_posts = [
    ('news', '长江二桥主体工程完工', ['长江二桥主体工程昨日完工，大桥预计今年十月通车。',
                                  '大桥全长四点二公里，双向六车道，通车后过江时间将缩短二十分钟。',
                                  '市交通局表示，桥面铺装和照明工程将在夏季前完成。']),
    ('news', '地铁三号线新增两座车站', ['地铁三号线延伸段新增的两座车站本周六起投入运营。',
                                   '新站分别位于科学城和南湖公园，沿线居民出行将更加便捷。']),
    ('news', '市区新增五百个公共充电桩', ['今年以来，市区新增公共充电桩五百个，主要分布在商圈和居住区。',
                                    '供电公司表示，年底前还将在高速服务区建设快充站。',
                                    '市民可通过手机应用查询附近充电桩的空闲情况。']),
    ('news', '老旧小区加装电梯提速', ['全市老旧小区加装电梯工作提速，今年已有一百二十部电梯完成安装。',
                                  '住建部门简化了审批流程，居民申请后最快两个月即可开工。']),
    ('city', '南湖公园樱花进入最佳观赏期', ['南湖公园的樱花进入最佳观赏期，周末游客量超过五万人次。',
                                     '公园管理处提醒市民错峰游园，并增开了两个临时出入口。']),
    ('city', '江滩夜市下月开市', ['江滩夜市将于下月开市，首批入驻摊位一百六十个。',
                              '夜市每晚六点至十一点营业，周边将增设临时停车场。',
                              '主办方表示，所有摊位将统一使用环保餐具。']),
    ('city', '城市书房增至三十家', ['随着东湖城市书房开放，全市城市书房增至三十家。',
                                '书房全天开放，市民刷身份证即可入内阅读和借还图书。']),
    ('city', '春季马拉松报名人数创新高', ['今年春季马拉松报名人数超过四万，创历届新高。',
                                    '组委会将通过抽签确定两万个参赛名额，结果下周公布。']),
]
METRO_STATEMENT = '（本报记者 江晓 通讯员 林帆）'


def metro_path(i):
    return f'/metro/{metro_posts[i][0]}/2024/03{10 + i:02d}/{880 + i}.html'


def _metro(write, expected):
    def when(i):
        return f'2024-03-{10 + i:02d}', f'{7 + i:02d}:{(i * 11) % 60:02d}'

    chans = [('news', '要闻'), ('city', '城事')]

    def page(title, main):
        nav = ''.join(f'<a href="/metro/{c}/">{n}</a>' for c, n in chans)
        return f'''<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title></head>
<body><div class="header"><div class="logo"><a href="/metro/"><img src="/metro/logo.png" alt="江城晚报"></a></div>
<div class="menu"><a href="/metro/">首页</a>{nav}<form action="/metro/search" class="sbox"><input name="q"><button>搜索</button></form></div></div>
<div class="container">{main}</div>
<div class="bottom"><p>江城晚报社主办 地址：江城市滨江大道100号 新闻热线：0000-88886666</p><p>本网站所刊登的各种新闻、信息和各种专题专栏资料，均为江城晚报版权所有，未经协议授权，禁止下载使用。</p></div>
</body></html>
'''

    for i, (chan, title, paras) in enumerate(metro_posts):
        day, hm = when(i)
        more = ''.join(f'<li><a href="{metro_path(j)}">{metro_posts[j][1]}</a></li>' for j in range(len(metro_posts)) if j != i and metro_posts[j][0] == chan)
        body = ''.join(f'<p>{p}</p>' for p in paras)
        main = f'''<div class="position">当前位置：<a href="/metro/">首页</a> &gt; <a href="/metro/{chan}/">{dict(chans)[chan]}</a></div>
<div class="detail"><h2 class="dtitle">{title}</h2>
<div class="dinfo">{day} {hm} 来源：江城晚报 作者：江晓 <span class="views">阅读：{300 + 17 * i}</span></div>
<div class="dcontent">{body}<p class="dauthor">{METRO_STATEMENT}</p></div>
<div class="dmore"><h4>本栏目更多</h4><ul>{more}</ul></div></div>'''
        write(metro_path(i), page(f'{title}-江城晚报', main))
        expected[metro_path(i)] = {'title': title, 'body': '\n\n'.join(paras), 'published': f'{day}T{hm}:00+08:00',
                                   'source': '江城晚报', 'statement': METRO_STATEMENT}

    for c, name in chans:
        idx = sorted((i for i, p in enumerate(metro_posts) if p[0] == c), reverse=True)
        top, rest = idx[0], idx[1:]
        day, hm = when(top)
        if c == 'news':
            lead = f'<div class="lead"><h2><a href="{metro_path(top)}">{metro_posts[top][1]}</a></h2><p>{metro_posts[top][2][0]}</p><p class="ltime">{day} {hm}</p></div>'
        else:
            # The lead's headline is a bare heading, its link a "阅读全文" under the paragraph.
            lead = f'<div class="lead"><h2>{metro_posts[top][1]}</h2><p class="ltime">{day} {hm}</p><p>{metro_posts[top][2][0]}</p><p class="lmore"><a href="{metro_path(top)}">阅读全文&gt;&gt;</a></p></div>'
        lis = ''.join(f'<li><a href="{metro_path(i)}">{metro_posts[i][1]}</a><span>{when(i)[0]}</span></li>' for i in rest)
        main = f'<div class="position">当前位置：<a href="/metro/">首页</a> &gt; {name}</div><div class="colname"><h1>{name}</h1></div>{lead}<ul class="newslist">{lis}</ul>'
        write(f'/metro/{c}/index.html', page(f'{name}-江城晚报', main))

    cards = ''
    for i in range(len(metro_posts) - 1, -1, -1):
        cards += f'''<div class="card"><a href="{metro_path(i)}"><img src="/metro/pic/{i}.jpg" alt=""><h3>{metro_posts[i][1]}</h3></a><p class="kicker">{metro_posts[i][2][0][:16]}</p><span class="ctime">{when(i)[0][5:]}</span></div>'''
    write('/metro/index.html', page('江城晚报-江城第一新闻门户', f'<div class="slide"><a href="{metro_path(7)}"><img src="/metro/pic/s.jpg" alt="{metro_posts[7][1]}"></a></div><div class="cards">{cards}</div>'))

    # A search page of two results: a query's few hits, each a headline and a snippet with the word marked.
    res = ''
    for i in (0, 2):
        res += f'<div class="result"><h3><a href="{metro_path(i)}">{metro_posts[i][1].replace("桥", "<em>桥</em>")}</a></h3><p>{metro_posts[i][2][0]}</p><span class="rtime">{when(i)[0]} {when(i)[1]}</span></div>'
    write('/metro/search', page('搜索结果-江城晚报', f'<div class="sresult"><h1>搜索结果</h1><p class="count">共找到 2 条与“桥”相关的结果</p>{res}</div>'))
