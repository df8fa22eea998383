--- orrery.heldback: is a fetched article page the article, or what stands in its place?
--- A paywall's or a login wall's teaser, a consent or bot check, an error page served as
--- 200, a redirect to a login page or to the front page.  Each test gives the reason in
--- words, or nil; orrery.article then keeps the feed's own text for the entry.  Only short
--- texts are ever judged (article.PAYWALL_TEASER): a long article is an article, whatever
--- its page says around it.
local chtml = require('orrery._html')
local util = require('orrery.util')

local M = {}

-- Lower case for the letters that begin sentences in the languages below: ASCII, Latin-1,
-- Greek and Cyrillic capitals (string.lower knows ASCII only, and "Только для подписчиков"
-- starts with one).
local lower_map = {}
do
  local function add(from, to, delta)
    for c = from, to do lower_map[utf8.char(c)] = utf8.char(c + delta) end
  end
  add(0xC0, 0xD6, 32) add(0xD8, 0xDE, 32)       -- À..Ö, Ø..Þ
  add(0x391, 0x3A1, 32) add(0x3A3, 0x3A9, 32)   -- Α..Ρ, Σ..Ω
  add(0x410, 0x42F, 32) add(0x400, 0x40F, 80)   -- А..Я, Ѐ..Џ
end

--- s in lower case (see lower_map), typographic apostrophes as "'", runs of white space as one.
function M.lower(s)
  return (s:lower():gsub('[\xC3\xCE\xD0][\x80-\xBF]', lower_map):gsub('\xE2\x80[\x98\x99]', "'"):gsub('%s+', ' '))
end

-- The start tag around position i of s, or nil: the last '<' at most 300 bytes before it, up
-- to its '>' at most 2,000 bytes on.  Bounded both ways, and its callers look at the first
-- hundred mentions only (a page names these a few times): a page of 100,000 mentions and
-- no '>' costs a few milliseconds, not the square of its length.
local function tag_around(s, i)
  local from = math.max(1, i - 300)
  local open = s:sub(from, i):match('^.*()<')
  return open and s:sub(from + open - 1, from + open + 2000):match('^<[^>]*')
end

-- Does the page say, in schema.org's terms, that it is not free to read?  isAccessibleForFree
-- false, the markup search engines ask paywalled sites for: in JSON-LD ("isAccessibleForFree":
-- false, or "False"), or as microdata (<meta itemprop="isAccessibleForFree" content="false">,
-- <link ... href="https://schema.org/False">).  head is lower case.
local function not_free(head)
  local i, n = head:find('isaccessibleforfree', 1, true), 0
  while i and n < 100 do
    n = n + 1
    local after = head:sub(i + 19, i + 60)
    if after:find('^["\']?%s*:%s*["\']?false') then return true end          -- JSON-LD
    local tag = tag_around(head, i)                                        -- microdata
    if tag and (tag:find('content%s*=%s*["\']?false') or tag:find('href%s*=%s*["\']?[^"\'>]*schema%.org/false')) then
      return true
    end
    i = head:find('isaccessibleforfree', i + 19, true)
  end
  return false
end

-- Does the page say so in Open Graph's terms (<meta property="article:content_tier"
-- content="locked">)?  head is lower case.
local function locked(head)
  local i, n = head:find('article:content_tier', 1, true), 0
  while i and n < 100 do
    n = n + 1
    local tag = tag_around(head, i)
    if tag and tag:find('^<meta') and tag:find('content%s*=%s*["\']?locked') then return true end
    i = head:find('article:content_tier', i + 20, true)
  end
  return false
end

-- Class and id names (whole tokens, lower case) that mark content behind a paywall: its
-- box over the text, or the text marked locked; and the members-only boxes of the
-- publishing systems blogs run on (Ghost's call to upgrade under a members' post,
-- WordPress's Paid Memberships Pro and MemberPress).
local wall_names = { ['subscriber-only'] = true, ['subscribers-only'] = true, ['members-only'] = true,
  ['member-only'] = true, ['premium-content'] = true, ['article-locked'] = true, ['content-locked'] = true,
  ['locked-content'] = true, ['subscription-required'] = true, ['gated-content'] = true,
  ['gh-post-upgrade-cta'] = true, ['pmpro_content_message'] = true, ['mepr-unauthorized-message'] = true }

-- Words that make a wall in a name ("article__paywall", "js-regwall", "loginWall",
-- "c-paywall-prompt")...
local wall_parts = { 'paywall', 'regwall', 'regiwall', 'loginwall', 'login-wall', 'signinwall', 'signin-wall',
  'registrationwall', 'registration-wall', 'subscriptionwall', 'subscription-wall', 'subscriberwall',
  'subscribewall', 'subscribe-wall', 'meterwall', 'meter-wall', 'premiumwall', 'premium-wall',
  'contentgate', 'content-gate' }
-- ... when what follows it in the name is the wall's own parts.  A site with a paywall names
-- its subscribers' way in after it on every page, free ones too ("paywall-login-link",
-- "paywall-user-name-and-sign-out-wrap", "paywall-header-wrap"): those are not walls.
local wall_suffix = { overlay = true, container = true, content = true, prompt = true, modal = true, box = true,
  message = true, msg = true, banner = true, inline = true, fade = true, gradient = true, block = true,
  wrapper = true, wrap = true, cta = true, offer = true, offers = true, teaser = true, active = true,
  visible = true, open = true, shown = true, popup = true, dialog = true, notice = true, body = true,
  inner = true, outer = true, section = true, module = true, screen = true, layer = true, card = true }
local wall_prefix_not = { no = true, ['not'] = true, free = true, without = true, hide = true, hidden = true }

local function wall_name(token)
  if wall_names[token] then return true end
  if not (token:find('wall', 1, true) or token:find('gate', 1, true)) then return false end
  for _, part in ipairs(wall_parts) do
    local i, j = token:find(part, 1, true)
    if i then
      for word in token:sub(j + 1):gmatch('[^-_]+') do
        if not (wall_suffix[word] or word:find('^v?%d+$')) then return false end
      end
      for word in token:sub(1, i - 1):gmatch('[^-_]+') do
        if wall_prefix_not[word] then return false end
      end
      return true
    end
  end
  return false
end

-- What a page's own text says where the rest of an article is held back for paying (or
-- registered) readers, in lower case (M.lower): the words of the newsletter and blog
-- platforms (WordPress.com/Jetpack, Substack, Ghost, Medium), of metered and login walls,
-- and of newspapers in the languages planets are read in.
local wall_words = {
  -- English
  'subscribe to continue reading', 'subscribe to keep reading', 'subscribe now to continue reading',
  'subscribe to read the full', 'subscribe to read the rest', 'subscribe to unlock',
  'log in to continue reading', 'login to continue reading', 'sign in to continue reading',
  'log in to keep reading', 'sign in to keep reading', 'register to continue reading',
  'register for free to continue reading', 'create a free account to continue reading',
  'create an account to continue reading', 'to continue reading this article', 'to continue reading, please',
  'to read the full article', 'to read the full story', 'to read the rest of this',
  'this post is for paid subscribers', 'this post is for paying subscribers', 'this post is for subscribers only',
  'this article is for subscribers', 'this article is only available to', 'this story is only available to',
  'this content is for subscribers', 'this content is only available to', 'this content is for members only',
  'this content is for paid members', 'available to subscribers only', 'available exclusively to subscribers',
  'exclusive to subscribers', 'subscriber-only content', 'subscriber exclusive', 'for subscribers only',
  'members-only content', 'become a member to read', 'become a paid member to', 'unlock this article',
  'unlock this story', "you've reached your limit of free articles", 'you have reached your limit of free articles',
  "you've reached your free article limit", 'you have reached your free article limit',
  "you've read all your free articles", 'you have read all your free articles', 'member-only story',
  'keep reading with a 7-day free trial',
  -- French
  'réservé aux abonnés', 'réservée aux abonnés', 'abonnez-vous pour lire la suite', 'abonnez-vous pour continuer',
  'pour lire la suite de cet article', 'la suite est réservée', 'de cet article à lire',
  'connectez-vous pour lire la suite',
  -- Spanish
  'suscríbete para seguir leyendo', 'suscríbete para continuar leyendo', 'exclusivo para suscriptores',
  'solo para suscriptores', 'sólo para suscriptores', 'regístrate para seguir leyendo',
  'inicia sesión para seguir leyendo',
  -- Portuguese
  'exclusivo para assinantes', 'assine para continuar lendo', 'assine para ler', 'exclusivo para subscritores',
  -- German
  'nur für abonnenten', 'exklusiv für abonnenten', 'jetzt abonnieren und weiterlesen', 'weiterlesen mit',
  'um den vollständigen artikel zu lesen', 'um diesen artikel zu lesen', 'artikel freischalten',
  -- Italian
  'riservato agli abbonati', 'abbonati per continuare a leggere', 'articolo riservato',
  -- Dutch
  'alleen voor abonnees', 'exclusief voor abonnees', 'om verder te lezen',
  -- Scandinavian, Finnish, Polish, Czech
  'endast för prenumeranter', 'logga in för att läsa', 'kun for abonnenter', 'vain tilaajille',
  'tylko dla subskrybentów', 'tylko dla prenumeratorów', 'pouze pro předplatitele', 'jen pro předplatitele',
  -- Russian, Ukrainian, Turkish, Arabic, Hebrew
  'только для подписчиков', 'доступно только подписчикам', 'чтобы продолжить чтение', 'тільки для передплатників',
  'abonelere özel', 'للمشتركين فقط', 'حصري للمشتركين', 'למנויים בלבד',
  -- Japanese, Chinese, Korean
  '有料会員限定', '会員限定記事', 'この記事は会員限定', '続きを読むには', '有料記事',
  '付费内容', '付费阅读', '订阅后阅读', '会员专享', '登录后阅读全文', '付費內容', '付費閱讀', '訂閱後閱讀', '會員專享',
  '유료 회원', '구독자 전용', '유료 기사',
}

--- Why the page looks like a teaser behind a paywall or a login wall, or nil: it says so in
--- schema.org's terms (not_free) or Open Graph's (article:content_tier "locked"), an
--- element's class or id is a wall's, or its text says so in a wall's words (not in its
--- scripts).
function M.paywalled(body)
  local head = body:sub(1, 400000):lower()
  if not_free(head) then return 'the page says it is not free to read' end
  if locked(head) then return 'the page says its content is locked' end
  for _, attr in ipairs({ 'class', 'id' }) do
    for _, value in head:gmatch('%f[%w-]' .. attr .. '%s*=%s*(["\'])(.-)%1') do
      for token in value:gmatch('%S+') do
        if wall_name(token) then return 'the page has a paywall (' .. attr .. ' "' .. token .. '")' end
      end
    end
  end
  local text = M.lower(chtml.text(body:sub(1, 400000)))
  for _, w in ipairs(wall_words) do
    if text:find(w, 1, true) then return 'the page says "' .. w .. '"' end
  end
  return nil
end

-- Pages served in an article's place (with 200) that are not articles, by what their text
-- says first (M.lower): the words, and what such a page is.
local stand_ins = {
  { 'a check for robots', { 'checking if the site connection is secure', 'checking your browser before accessing',
    'enable javascript and cookies to continue', 'verify you are human', 'verifying you are human',
    'verify you are a human', 'confirm you are a human', 'complete the security check',
    'press & hold to confirm', 'ddos protection by', 'this website is using a security service',
    'unusual traffic from your computer network' } },
  { "a firewall's refusal", { 'incapsula incident id', 'sucuri website firewall', 'why have i been blocked',
    'you have been blocked', 'access to this page has been denied', "you don't have permission to access",
    'you do not have permission to access', 'request blocked', 'the request could not be satisfied' } },
  { 'not available where orrery runs', { 'unavailable for legal reasons', 'unavailable due to legal reasons',
    'not available in your country', 'not available in your region', 'unavailable in your region',
    'unavailable in your country', 'not available in your location', 'unavailable in most european countries',
    'access cannot be granted at this time' } },
  -- (in the words of the message, not of an article about it: "How to enable JavaScript")
  { 'a page that needs scripts to show anything', { 'you need to enable javascript', 'please enable javascript',
    'enable javascript to', 'javascript is disabled in your browser', 'requires javascript to',
    'javascript is required to', 'javascript must be enabled', 'turn on javascript to', 'please turn on javascript',
    'activez javascript', 'javascript aktivieren', 'habilita javascript', 'attiva javascript' } },
  { 'an error page', { 'the page you are looking for', 'the page you were looking for', 'the page you requested',
    "this page doesn't exist", 'this page does not exist', 'page could not be found', "sorry, we couldn't find",
    'the requested url was not found', 'page introuvable', "cette page n'existe pas", 'seite nicht gefunden',
    'seite wurde nicht gefunden', 'página no encontrada', 'página não encontrada', 'pagina non trovata',
    'pagina niet gevonden', 'страница не найдена', 'ページが見つかりません', '页面不存在', '找不到页面',
    '페이지를 찾을 수 없습니다' } },
}

-- Titles (a whole part of the page's <title>, between " | ", " - " and their kin) of such pages.
local stand_in_titles = {
  ['just a moment...'] = 'a check for robots', ['just a moment'] = 'a check for robots',
  ['attention required!'] = 'a check for robots', ['security check'] = 'a check for robots',
  ['human verification'] = 'a check for robots', ['one more step'] = 'a check for robots',
  ['are you a robot?'] = 'a check for robots', ['ddos-guard'] = 'a check for robots',
  ['access denied'] = "a firewall's refusal", ['403 forbidden'] = "a firewall's refusal",
  ['request rejected'] = "a firewall's refusal",
  ['not found'] = 'an error page', ['page not found'] = 'an error page', ['404 not found'] = 'an error page',
  ['error'] = 'an error page', ['error 404'] = 'an error page', ['404 error'] = 'an error page',
  ['404'] = 'an error page', ['page introuvable'] = 'an error page', ['seite nicht gefunden'] = 'an error page',
  ['página no encontrada'] = 'an error page', ['pagina non trovata'] = 'an error page',
  ['unavailable for legal reasons'] = 'not available where orrery runs',
}

--- Why the text found in a page is not an article but what a server put in its place, or
--- nil: a bot check or a firewall's refusal, a page blocked in orrery's country, one that
--- shows nothing without scripts, an error page (each by what its text says in its first
--- 400 bytes, where such a page says it), or the page's <title> says so.  The reason in
--- words, and the kind of page alone.
---@param text string the text found (of the sanitized article)
---@param body string the page
function M.stand_in(text, body)
  local start = M.lower(text:sub(1, 400))
  for _, kind in ipairs(stand_ins) do
    for _, w in ipairs(kind[2]) do
      if start:find(w, 1, true) then return string.format('the page is %s ("%s")', kind[1], w), kind[1] end
    end
  end
  local title = body:sub(1, 65536):match('<[Tt][Ii][Tt][Ll][Ee][^>]*>([^<]*)')
  if title then
    title = M.lower(chtml.text(title:sub(1, 500)))
    for part in (title .. ' | '):gmatch('%s*(.-)%s+[|%-–—:·»]+%s') do
      local kind = stand_in_titles[part] or (part:find('^40[34]%f[%D]') and 'an error page')
      if kind then return string.format('the page is %s (its title says "%s")', kind, part), kind end
    end
  end
  return nil
end

-- The kinds of stand-in that say a site turns orrery away, whatever it asked for.
local turned_away = { ['a check for robots'] = true, ["a firewall's refusal"] = true,
  ['not available where orrery runs'] = true }

--- Why a site's answer says it turns orrery away (a bot check, a firewall's refusal, a
--- country blocked), or nil: for the error of a feed whose URL gave such a page (with an
--- error status, or as if it were the feed), which says no more than "HTTP 403" or "an HTML
--- page" and leaves its maintainer guessing.
---@param body string|nil what the server sent
---@param content_type string|nil its Content-Type
function M.turned_away(body, content_type)
  if not body or body == '' or (content_type and not content_type:lower():find('html', 1, true)) then return nil end
  local head = body:sub(1, 65536)
  if not head:find('<', 1, true) then return nil end
  local why, kind = M.stand_in(chtml.text(head), head)
  return turned_away[kind] and why or nil
end

-- Where a site sends a reader it will not show an article: its login, subscription or
-- consent pages, by a word of their path or the first label of their host.
local gate_paths = { login = true, signin = true, ['sign-in'] = true, ['log-in'] = true, register = true,
  registration = true, subscribe = true, subscription = true, subscriptions = true, paywall = true,
  consent = true, collectconsent = true, gdpr = true, auth = true, sso = true, checkout = true,
  anmelden = true, connexion = true, abonnement = true, abo = true }
local gate_hosts = { consent = true, login = true, auth = true, accounts = true, account = true, sso = true,
  subscribe = true, checkout = true, signin = true }

--- Why a link that was redirected to final does not lead to its article, or nil: it landed
--- on a login, subscription or consent page, or on the front page of a site (a link to a
--- page the site no longer has).
function M.redirected(link, final)
  if not final or final == link then return nil end
  local host, path = util.host(final), final:match('^%a[%w+.-]*://[^/?#]*([^?#]*)')
  if not host then return nil end
  local label = host:match('^[^.]+')
  if gate_hosts[label] then return 'the link leads to ' .. host .. ', not to the article' end
  for word in path:lower():gmatch('[^/.]+') do
    if gate_paths[word] then return 'the link leads to a ' .. word .. ' page (' .. final .. '), not to the article' end
  end
  -- (with a query it is a page of its own: WordPress's "/?p=123")
  local function front(url)
    local p, q = url:match('^%a[%w+.-]*://[^/?#]*([^?#]*)(%??)')
    return p and q == '' and (p == '' or p == '/' or p:find('^/index%.%w+$') or p:find('^/home/?$'))
  end
  if front(final) and not front(link) then
    return 'the link leads to the front page of ' .. host .. ', not to the article'
  end
  return nil
end

return M
