--- orrery.locale: month and day names for dates on the pages, in the planet's language.
---
--- Shipped with orrery rather than asked of the C library: a fresh machine has only the C
--- locale installed, and a page must not change language with the machine that renders
--- it.  `locale = 'de'` (or 'de_DE', 'de_AT.UTF-8': the language is what counts) puts
--- these names in place of %B %b %A %a %p, and %OB is the month as a title ("Januar 2026"
--- where a date says "5. Januar"; the two differ in Slavic languages and Greek).  A
--- language also brings its usual formats, used while planet.lua keeps orrery's defaults.
local cutil = require('orrery._util')

local M = {}

-- B: months in a date ("5 января"); OB: months standing alone (titles), when different;
-- b: abbreviated; A, a: weekdays from Sunday; p: AM/PM (empty where the 24-hour clock is
-- the custom); formats: date_format, day_format, month_format.
M.languages = {
  en = {
    B = { 'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
      'November', 'December' },
    b = { 'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec' },
    A = { 'Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday' },
    a = { 'Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat' },
    p = { 'AM', 'PM' },
  },
  de = {
    B = { 'Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober',
      'November', 'Dezember' },
    b = { 'Jan', 'Feb', 'Mär', 'Apr', 'Mai', 'Jun', 'Jul', 'Aug', 'Sep', 'Okt', 'Nov', 'Dez' },
    A = { 'Sonntag', 'Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag', 'Samstag' },
    a = { 'So', 'Mo', 'Di', 'Mi', 'Do', 'Fr', 'Sa' },
    formats = { '%d. %B %Y, %H:%M %Z', '%A, %d. %B %Y', '%OB %Y' },
  },
  fr = {
    B = { 'janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre',
      'novembre', 'décembre' },
    b = { 'janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.' },
    A = { 'dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi' },
    a = { 'dim.', 'lun.', 'mar.', 'mer.', 'jeu.', 'ven.', 'sam.' },
    formats = { '%d %B %Y à %H:%M %Z', '%A %d %B %Y', '%OB %Y' },
  },
  es = {
    B = { 'enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre',
      'noviembre', 'diciembre' },
    b = { 'ene', 'feb', 'mar', 'abr', 'may', 'jun', 'jul', 'ago', 'sep', 'oct', 'nov', 'dic' },
    A = { 'domingo', 'lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado' },
    a = { 'dom', 'lun', 'mar', 'mié', 'jue', 'vie', 'sáb' },
    formats = { '%d de %B de %Y, %H:%M %Z', '%A, %d de %B de %Y', '%OB de %Y' },
  },
  it = {
    B = { 'gennaio', 'febbraio', 'marzo', 'aprile', 'maggio', 'giugno', 'luglio', 'agosto', 'settembre', 'ottobre',
      'novembre', 'dicembre' },
    b = { 'gen', 'feb', 'mar', 'apr', 'mag', 'giu', 'lug', 'ago', 'set', 'ott', 'nov', 'dic' },
    A = { 'domenica', 'lunedì', 'martedì', 'mercoledì', 'giovedì', 'venerdì', 'sabato' },
    a = { 'dom', 'lun', 'mar', 'mer', 'gio', 'ven', 'sab' },
    formats = { '%d %B %Y, %H:%M %Z', '%A %d %B %Y', '%OB %Y' },
  },
  pt = {
    B = { 'janeiro', 'fevereiro', 'março', 'abril', 'maio', 'junho', 'julho', 'agosto', 'setembro', 'outubro',
      'novembro', 'dezembro' },
    b = { 'jan', 'fev', 'mar', 'abr', 'mai', 'jun', 'jul', 'ago', 'set', 'out', 'nov', 'dez' },
    A = { 'domingo', 'segunda-feira', 'terça-feira', 'quarta-feira', 'quinta-feira', 'sexta-feira', 'sábado' },
    a = { 'dom', 'seg', 'ter', 'qua', 'qui', 'sex', 'sáb' },
    formats = { '%d de %B de %Y, %H:%M %Z', '%A, %d de %B de %Y', '%OB de %Y' },
  },
  nl = {
    B = { 'januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober',
      'november', 'december' },
    b = { 'jan', 'feb', 'mrt', 'apr', 'mei', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec' },
    A = { 'zondag', 'maandag', 'dinsdag', 'woensdag', 'donderdag', 'vrijdag', 'zaterdag' },
    a = { 'zo', 'ma', 'di', 'wo', 'do', 'vr', 'za' },
    formats = { '%d %B %Y %H:%M %Z', '%A %d %B %Y', '%OB %Y' },
  },
  sv = {
    B = { 'januari', 'februari', 'mars', 'april', 'maj', 'juni', 'juli', 'augusti', 'september', 'oktober',
      'november', 'december' },
    b = { 'jan', 'feb', 'mar', 'apr', 'maj', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec' },
    A = { 'söndag', 'måndag', 'tisdag', 'onsdag', 'torsdag', 'fredag', 'lördag' },
    a = { 'sön', 'mån', 'tis', 'ons', 'tor', 'fre', 'lör' },
    formats = { '%d %B %Y %H:%M %Z', '%A %d %B %Y', '%OB %Y' },
  },
  da = {
    B = { 'januar', 'februar', 'marts', 'april', 'maj', 'juni', 'juli', 'august', 'september', 'oktober',
      'november', 'december' },
    b = { 'jan', 'feb', 'mar', 'apr', 'maj', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec' },
    A = { 'søndag', 'mandag', 'tirsdag', 'onsdag', 'torsdag', 'fredag', 'lørdag' },
    a = { 'søn', 'man', 'tir', 'ons', 'tor', 'fre', 'lør' },
    formats = { '%d. %B %Y %H:%M %Z', '%A d. %d. %B %Y', '%OB %Y' },
  },
  nb = {
    B = { 'januar', 'februar', 'mars', 'april', 'mai', 'juni', 'juli', 'august', 'september', 'oktober',
      'november', 'desember' },
    b = { 'jan', 'feb', 'mar', 'apr', 'mai', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'des' },
    A = { 'søndag', 'mandag', 'tirsdag', 'onsdag', 'torsdag', 'fredag', 'lørdag' },
    a = { 'søn', 'man', 'tir', 'ons', 'tor', 'fre', 'lør' },
    formats = { '%d. %B %Y %H:%M %Z', '%A %d. %B %Y', '%OB %Y' },
  },
  fi = {
    B = { 'tammikuuta', 'helmikuuta', 'maaliskuuta', 'huhtikuuta', 'toukokuuta', 'kesäkuuta', 'heinäkuuta',
      'elokuuta', 'syyskuuta', 'lokakuuta', 'marraskuuta', 'joulukuuta' },
    OB = { 'tammikuu', 'helmikuu', 'maaliskuu', 'huhtikuu', 'toukokuu', 'kesäkuu', 'heinäkuu', 'elokuu',
      'syyskuu', 'lokakuu', 'marraskuu', 'joulukuu' },
    b = { 'tammi', 'helmi', 'maalis', 'huhti', 'touko', 'kesä', 'heinä', 'elo', 'syys', 'loka', 'marras', 'joulu' },
    A = { 'sunnuntai', 'maanantai', 'tiistai', 'keskiviikko', 'torstai', 'perjantai', 'lauantai' },
    a = { 'su', 'ma', 'ti', 'ke', 'to', 'pe', 'la' },
    formats = { '%d. %B %Y klo %H.%M %Z', '%A %d. %B %Y', '%OB %Y' },
  },
  pl = {
    B = { 'stycznia', 'lutego', 'marca', 'kwietnia', 'maja', 'czerwca', 'lipca', 'sierpnia', 'września',
      'października', 'listopada', 'grudnia' },
    OB = { 'styczeń', 'luty', 'marzec', 'kwiecień', 'maj', 'czerwiec', 'lipiec', 'sierpień', 'wrzesień',
      'październik', 'listopad', 'grudzień' },
    b = { 'sty', 'lut', 'mar', 'kwi', 'maj', 'cze', 'lip', 'sie', 'wrz', 'paź', 'lis', 'gru' },
    A = { 'niedziela', 'poniedziałek', 'wtorek', 'środa', 'czwartek', 'piątek', 'sobota' },
    a = { 'nie', 'pon', 'wto', 'śro', 'czw', 'pią', 'sob' },
    formats = { '%d %B %Y, %H:%M %Z', '%A, %d %B %Y', '%OB %Y' },
  },
  cs = {
    B = { 'ledna', 'února', 'března', 'dubna', 'května', 'června', 'července', 'srpna', 'září', 'října',
      'listopadu', 'prosince' },
    OB = { 'leden', 'únor', 'březen', 'duben', 'květen', 'červen', 'červenec', 'srpen', 'září', 'říjen',
      'listopad', 'prosinec' },
    b = { 'led', 'úno', 'bře', 'dub', 'kvě', 'čen', 'čec', 'srp', 'zář', 'říj', 'lis', 'pro' },
    A = { 'neděle', 'pondělí', 'úterý', 'středa', 'čtvrtek', 'pátek', 'sobota' },
    a = { 'ne', 'po', 'út', 'st', 'čt', 'pá', 'so' },
    formats = { '%d. %B %Y, %H:%M %Z', '%A %d. %B %Y', '%OB %Y' },
  },
  ru = {
    B = { 'января', 'февраля', 'марта', 'апреля', 'мая', 'июня', 'июля', 'августа', 'сентября', 'октября',
      'ноября', 'декабря' },
    OB = { 'Январь', 'Февраль', 'Март', 'Апрель', 'Май', 'Июнь', 'Июль', 'Август', 'Сентябрь', 'Октябрь',
      'Ноябрь', 'Декабрь' },
    b = { 'янв', 'фев', 'мар', 'апр', 'мая', 'июн', 'июл', 'авг', 'сен', 'окт', 'ноя', 'дек' },
    A = { 'воскресенье', 'понедельник', 'вторник', 'среда', 'четверг', 'пятница', 'суббота' },
    a = { 'Вс', 'Пн', 'Вт', 'Ср', 'Чт', 'Пт', 'Сб' },
    formats = { '%d %B %Y, %H:%M %Z', '%A, %d %B %Y', '%OB %Y' },
  },
  uk = {
    B = { 'січня', 'лютого', 'березня', 'квітня', 'травня', 'червня', 'липня', 'серпня', 'вересня', 'жовтня',
      'листопада', 'грудня' },
    OB = { 'Січень', 'Лютий', 'Березень', 'Квітень', 'Травень', 'Червень', 'Липень', 'Серпень', 'Вересень',
      'Жовтень', 'Листопад', 'Грудень' },
    b = { 'січ', 'лют', 'бер', 'кві', 'тра', 'чер', 'лип', 'сер', 'вер', 'жов', 'лис', 'гру' },
    A = { 'неділя', 'понеділок', 'вівторок', 'середа', 'четвер', 'пʼятниця', 'субота' },
    a = { 'нд', 'пн', 'вт', 'ср', 'чт', 'пт', 'сб' },
    formats = { '%d %B %Y, %H:%M %Z', '%A, %d %B %Y', '%OB %Y' },
  },
  el = {
    B = { 'Ιανουαρίου', 'Φεβρουαρίου', 'Μαρτίου', 'Απριλίου', 'Μαΐου', 'Ιουνίου', 'Ιουλίου', 'Αυγούστου',
      'Σεπτεμβρίου', 'Οκτωβρίου', 'Νοεμβρίου', 'Δεκεμβρίου' },
    OB = { 'Ιανουάριος', 'Φεβρουάριος', 'Μάρτιος', 'Απρίλιος', 'Μάιος', 'Ιούνιος', 'Ιούλιος', 'Αύγουστος',
      'Σεπτέμβριος', 'Οκτώβριος', 'Νοέμβριος', 'Δεκέμβριος' },
    b = { 'Ιαν', 'Φεβ', 'Μαρ', 'Απρ', 'Μαΐ', 'Ιουν', 'Ιουλ', 'Αυγ', 'Σεπ', 'Οκτ', 'Νοε', 'Δεκ' },
    A = { 'Κυριακή', 'Δευτέρα', 'Τρίτη', 'Τετάρτη', 'Πέμπτη', 'Παρασκευή', 'Σάββατο' },
    a = { 'Κυρ', 'Δευ', 'Τρι', 'Τετ', 'Πεμ', 'Παρ', 'Σαβ' },
    p = { 'π.μ.', 'μ.μ.' },
    formats = { '%d %B %Y, %H:%M %Z', '%A, %d %B %Y', '%OB %Y' },
  },
  tr = {
    B = { 'Ocak', 'Şubat', 'Mart', 'Nisan', 'Mayıs', 'Haziran', 'Temmuz', 'Ağustos', 'Eylül', 'Ekim', 'Kasım',
      'Aralık' },
    b = { 'Oca', 'Şub', 'Mar', 'Nis', 'May', 'Haz', 'Tem', 'Ağu', 'Eyl', 'Eki', 'Kas', 'Ara' },
    A = { 'Pazar', 'Pazartesi', 'Salı', 'Çarşamba', 'Perşembe', 'Cuma', 'Cumartesi' },
    a = { 'Paz', 'Pzt', 'Sal', 'Çar', 'Per', 'Cum', 'Cmt' },
    formats = { '%d %B %Y %H:%M %Z', '%d %B %Y %A', '%OB %Y' },
  },
  hu = {
    B = { 'január', 'február', 'március', 'április', 'május', 'június', 'július', 'augusztus', 'szeptember',
      'október', 'november', 'december' },
    b = { 'jan', 'febr', 'márc', 'ápr', 'máj', 'jún', 'júl', 'aug', 'szept', 'okt', 'nov', 'dec' },
    A = { 'vasárnap', 'hétfő', 'kedd', 'szerda', 'csütörtök', 'péntek', 'szombat' },
    a = { 'V', 'H', 'K', 'Sze', 'Cs', 'P', 'Szo' },
    formats = { '%Y. %B %d. %H:%M %Z', '%Y. %B %d., %A', '%Y. %OB' },
  },
  ro = {
    B = { 'ianuarie', 'februarie', 'martie', 'aprilie', 'mai', 'iunie', 'iulie', 'august', 'septembrie',
      'octombrie', 'noiembrie', 'decembrie' },
    b = { 'ian', 'feb', 'mar', 'apr', 'mai', 'iun', 'iul', 'aug', 'sep', 'oct', 'nov', 'dec' },
    A = { 'duminică', 'luni', 'marți', 'miercuri', 'joi', 'vineri', 'sâmbătă' },
    a = { 'Du', 'Lu', 'Ma', 'Mi', 'Jo', 'Vi', 'Sâ' },
    formats = { '%d %B %Y, %H:%M %Z', '%A, %d %B %Y', '%OB %Y' },
  },
  ca = {
    B = { 'de gener', 'de febrer', 'de març', 'd’abril', 'de maig', 'de juny', 'de juliol', 'd’agost',
      'de setembre', 'd’octubre', 'de novembre', 'de desembre' },
    OB = { 'gener', 'febrer', 'març', 'abril', 'maig', 'juny', 'juliol', 'agost', 'setembre', 'octubre',
      'novembre', 'desembre' },
    b = { 'gen.', 'febr.', 'març', 'abr.', 'maig', 'juny', 'jul.', 'ag.', 'set.', 'oct.', 'nov.', 'des.' },
    A = { 'diumenge', 'dilluns', 'dimarts', 'dimecres', 'dijous', 'divendres', 'dissabte' },
    a = { 'dg.', 'dl.', 'dt.', 'dc.', 'dj.', 'dv.', 'ds.' },
    formats = { '%d %B de %Y, %H:%M %Z', '%A, %d %B de %Y', '%OB de %Y' },
  },
  ja = {
    B = { '1月', '2月', '3月', '4月', '5月', '6月', '7月', '8月', '9月', '10月', '11月', '12月' },
    A = { '日曜日', '月曜日', '火曜日', '水曜日', '木曜日', '金曜日', '土曜日' },
    a = { '日', '月', '火', '水', '木', '金', '土' },
    p = { '午前', '午後' },
    formats = { '%Y年%B%d日 %H:%M %Z', '%Y年%B%d日(%a)', '%Y年%OB' },
  },
  zh = {
    B = { '一月', '二月', '三月', '四月', '五月', '六月', '七月', '八月', '九月', '十月', '十一月', '十二月' },
    b = { '1月', '2月', '3月', '4月', '5月', '6月', '7月', '8月', '9月', '10月', '11月', '12月' },
    A = { '星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六' },
    a = { '日', '一', '二', '三', '四', '五', '六' },
    p = { '上午', '下午' },
    formats = { '%Y年%b%d日 %H:%M %Z', '%Y年%b%d日 %A', '%Y年%b' },
  },
  ko = {
    B = { '1월', '2월', '3월', '4월', '5월', '6월', '7월', '8월', '9월', '10월', '11월', '12월' },
    A = { '일요일', '월요일', '화요일', '수요일', '목요일', '금요일', '토요일' },
    a = { '일', '월', '화', '수', '목', '금', '토' },
    p = { '오전', '오후' },
    formats = { '%Y년 %B %d일 %H:%M %Z', '%Y년 %B %d일 %A', '%Y년 %OB' },
  },
}

-- Missing lists fall back: OB to B, b to B, p to the 24-hour custom (none).
for _, l in pairs(M.languages) do
  l.OB = l.OB or l.B
  l.b = l.b or l.B
  l.p = l.p or { '', '' }
end

--- The language of a locale name ('de_DE.UTF-8' -> 'de'; 'no' is Norwegian Bokmål), or nil.
function M.language(name)
  local lang = name and name:match('^(%a%a)[_.@-]?') or name
  lang = lang and lang:lower()
  if lang == 'no' or lang == 'nn' then lang = 'nb' end
  if lang == 'c' or name == 'POSIX' then lang = 'en' end
  return M.languages[lang] and lang or nil
end

--- Raise a config error unless orrery has the names of locale's language.
function M.check(name)
  if M.language(name) then return end
  local have = {}
  for k in pairs(M.languages) do have[#have + 1] = k end
  table.sort(have)
  error(string.format('config: locale %q: orrery has month and day names for %s', name, table.concat(have, ', ')), 0)
end

--- A function(fmt, t) formatting dates in zone with the names of locale (nil: English).
function M.formatter(name, zone)
  local l = M.languages[M.language(name or 'en') or 'en']
  if l == M.languages.en then
    return function(fmt, t) return cutil.strftime(fmt, t, zone) end
  end
  return function(fmt, t)
    if not fmt:find('%%O?[BbhAap]') then return cutil.strftime(fmt, t, zone) end
    local m, w, h = cutil.strftime('%m %w %H', t, zone):match('^(%d+) (%d) (%d+)$')
    m, w, h = tonumber(m), tonumber(w) + 1, tonumber(h)
    local names = { B = l.B[m], OB = l.OB[m], b = l.b[m], h = l.b[m], A = l.A[w], a = l.a[w],
      p = l.p[h < 12 and 1 or 2] }
    -- the names put in the format as text (a % in a name is written %%), %% kept as it is
    local f = fmt:gsub('%%(O?)([%%BbhAap])', function(o, c)
      if c == '%' then return '%%' .. o end
      local n = names[o .. c] or names[c]
      return (n:gsub('%%', '%%%%'))
    end)
    return cutil.strftime(f, t, zone)
  end
end

local formatters = {}

--- The formatter of a planet's locale and time zone: date(cfg)(fmt, t).
function M.date(cfg)
  local key = (cfg.locale or '') .. ' ' .. (cfg.time_zone or 'UTC')
  formatters[key] = formatters[key] or M.formatter(cfg.locale, cfg.time_zone or 'UTC')
  return formatters[key]
end

--- The planet's date formats: the config's, or the language's usual ones while the config
--- keeps orrery's defaults.
function M.formats(cfg, defaults)
  local l = cfg.locale and M.languages[M.language(cfg.locale)]
  local f = l and l.formats
  local function pick(k, i)
    if f and cfg[k] == defaults[k] then return f[i] end
    return cfg[k]
  end
  return pick('date_format', 1), pick('day_format', 2), pick('month_format', 3)
end

return M
