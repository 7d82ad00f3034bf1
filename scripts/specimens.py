#!/usr/bin/env python3
"""Renders synthetic specimen documents of FAKE people and companies, each
with its truth as JSON, for xocr's offline engine.  Every name, date, address
and number is invented at random; portraits are a plain grey silhouette.

Types (--types, comma-separated; default all, in this mix per cycle of 12):
id_card (3 fronts + 1 back on the blank template tests/corpus/身份证 正面 (1).jpg),
bank_card (1), drive_license (1 main page), vehicle_license (1 main + 1 back
page), business_license (1; 2019 and older layouts, 正本/副本, horizontal and
vertical in turn), passport (1 data page), hongkong_idcard (1),
social_security_cards (1).  `--count 480` gives at least 40 of each type.
Pictures alternate cycle by cycle between clean scans and photo-like ones
(rotation within ±10°, perspective, blur, noise, uneven light, JPEG quality
50–90, one in four turned by 90, 180 or 270 degrees).

    python3 scripts/specimens.py OUT_DIR [--count 200] [--seed 7] [--types ...]
                                 [--template PATH] [--clean-quality 92]
                                 [--max-side 0]
    python3 scripts/specimens.py examples --examples   # examples/id-card-*.jpg

Writes OUT_DIR/NNNN.jpg and OUT_DIR/NNNN.json:
    {"type": ..., "side": "front" | "back" | "main" | null,
     "distorted": bool, "image_angle": 0 | 90 | 180 | 270,
     "layout": "2019-horizontal-copy" (business licences only),
     "fields": {key: value, ...}}
image_angle is the degrees the picture must be turned clockwise to stand
upright.  Every value is the text exactly as printed:
- id_card front: name, sex, nationality, address, id_number, birth
  (`1990年3月7日`); back: issue_authority, validate_date (`2015.03.07-2035.03.07`).
- bank_card: card_number (Luhn), bank_name, validate_date (`MM/YY`).
- drive_license (side main): driving_license_main_number (GB 11643 ID number),
  name, sex, driving_license_main_nationality (`中国`), address (lines joined),
  birthday, issue_date (初次领证日期), valid_period_from (`YYYY-MM-DD`),
  valid_period (the end date `YYYY-MM-DD` when printed `有效期限 A 至 B`, or
  `6年`/`10年` when printed as 有效起始日期 + 有效期限), drive_type (`C1`),
  licence_issuing_authority (the red seal's two lines joined).
- vehicle_license main: plate_no, vehicle_type, owner, address, use_character,
  model, vin (ISO 3779 check digit at position 9), engine_no, register_date,
  issue_date (`YYYY-MM-DD`).  Back: plate_no, file_no (档案编号),
  approved_passengers (`5人`), gross_mass, unladen_mass (`1395kg`),
  overall_dimension (`4597×1765×1460mm`), inspection_record
  (`检验有效期至2027年05月`); approved_load and traction_mass (`--` when not
  a tractor) only on trucks, where they are printed.
- business_license: BizLicenseCreditCode (GB 32100 check, its organisation
  code GB 11714), BizLicenseCompanyName, BizLicenseCompanyType,
  BizLicenseAddress, BizLicenseOwnerName, BizLicenseRegCapital,
  BizLicenseStartTime (`2016年05月12日`), BizLicenseOperatingPeriod
  (`2016年05月12日至长期`), BizLicenseScope (all lines joined, no separator),
  BizLicenseIsCopy (`是` for 副本, `否` for 正本).
- passport (side main): passport_type `P`, country_code `CHN`,
  passport_number, name (Chinese), english_name (`ZHANG, SAN`), sex (`男/M`),
  nationality (`中国/CHINESE`), birth, issue_date, expiry_date (`07 MAR 1990`),
  birth_place, issue_place (`北京/BEIJING`), mrz (the two 44-character TD3
  lines joined with `\n`; check digits and composite per ICAO 9303 part 3; an
  empty personal number has `<` as its check digit).  The MRZ is drawn in
  DejaVu Sans Mono.
- hongkong_idcard (side front): name, english_name (`CHAN, Tai Man`),
  name_code (電碼, `7115 1129 2429`, from the commercial code of the few
  characters used), birth (`DD-MM-YYYY`), sex (`男 M`), symbol (`***AZ`),
  first_issued (`(MM-YY)`), issued (`DD-MM-YY`), id_number (`A123456(3)`,
  HKID check).
- social_security_cards (side front): name, id_number (社会保障号码, GB 11643),
  card_number (社会保障卡号), issue_date (`2019年06月`), and on 60% of cards
  bank_card_number (19 digits, Luhn) and bank_name.

Needs Pillow, Debian's fonts-noto-cjk and fonts-dejavu.
"""
import argparse
import json
import math
import os
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.path.join(HERE, "..", "tests", "corpus", "身份证 正面 (1).jpg")
FONT_DIR = "/usr/share/fonts/opentype/noto"
SANS = os.path.join(FONT_DIR, "NotoSansCJK-Regular.ttc")
BOLD = os.path.join(FONT_DIR, "NotoSansCJK-Bold.ttc")
SERIF = os.path.join(FONT_DIR, "NotoSerifCJK-Bold.ttc")

FRONT_BOX = (69, 48, 517, 333)
BACK_BOX = (67, 391, 517, 677)
SCALE = 2
LABEL = (60, 110, 170)
INK = (20, 20, 20)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红建文辉力国斌志鹏海宇晨欣怡子涵浩然梓轩雨桐思远嘉豪佳琪俊杰婷婷晓东立新春梅永胜德明振宇"
NATIONS = ["汉"] * 8 + ["满", "回", "蒙古", "维吾尔", "壮", "苗", "土家", "彝", "藏",
                        "朝鲜", "侗", "瑶", "白", "哈尼", "傣", "黎"]
# (region code, province + city + district, authority)
REGIONS = [
    ("110101", "北京市东城区", "北京市公安局东城分局"),
    ("110105", "北京市朝阳区", "北京市公安局朝阳分局"),
    ("310104", "上海市徐汇区", "上海市公安局徐汇分局"),
    ("440305", "广东省深圳市南山区", "深圳市公安局南山分局"),
    ("440106", "广东省广州市天河区", "广州市公安局天河分局"),
    ("510107", "四川省成都市武侯区", "成都市公安局武侯区分局"),
    ("330106", "浙江省杭州市西湖区", "杭州市公安局西湖区分局"),
    ("420102", "湖北省武汉市江岸区", "武汉市公安局江岸区分局"),
    ("320102", "江苏省南京市玄武区", "南京市公安局玄武分局"),
    ("370102", "山东省济南市历下区", "济南市公安局历下区分局"),
    ("610113", "陕西省西安市雁塔区", "西安市公安局雁塔分局"),
    ("430104", "湖南省长沙市岳麓区", "长沙市公安局岳麓分局"),
    ("650102", "新疆维吾尔自治区乌鲁木齐市天山区", "乌鲁木齐市公安局天山区分局"),
]
STREETS = ["人民路", "解放大道", "建设街", "和平里", "中山北路", "长江路", "文化街",
           "新华路", "光明巷", "胜利东街", "青年路", "幸福大街", "朝阳路", "南京西路"]
BANKS = [("中国工商银行", "622202"), ("中国建设银行", "621700"), ("招商银行", "622588"),
         ("中国农业银行", "622848"), ("中国银行", "621661"), ("交通银行", "622262"),
         ("中国邮政储蓄银行", "621799"), ("兴业银行", "622909")]
PINYIN = ["ZHANG SAN", "LI SI", "WANG WU", "ZHAO LIU", "CHEN JING", "LIU YANG",
          "HUANG LEI", "ZHOU MIN", "WU TAO", "XU FANG"]


def id_check(id17):
    """GB 11643 check character of the first 17 digits."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    s = sum(int(c) * w for c, w in zip(id17, weights))
    return "10X98765432"[s % 11]


def luhn_digit(body):
    """The Luhn check digit to append to `body`."""
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def font(path, px):
    return ImageFont.truetype(path, int(px * SCALE))


def template_card(template, box):
    c = Image.open(template).convert("RGB").crop(box)
    return c.resize((c.width * SCALE, c.height * SCALE), Image.LANCZOS)


def wrap(text, n):
    return [text[i:i + n] for i in range(0, len(text), n)]


def fake_person(rng):
    code, place, authority = rng.choice(REGIONS)
    sex = rng.choice("男女")
    birth = (rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28))
    seq = rng.randint(0, 99) * 10 + rng.choice([1, 3, 5, 7, 9] if sex == "男" else [0, 2, 4, 6, 8])
    id17 = f"{code}{birth[0]:04d}{birth[1]:02d}{birth[2]:02d}{seq:03d}"
    street = rng.choice(STREETS)
    addr = f"{place}{street}{rng.randint(1, 300)}号"
    room = f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{rng.randint(1, 30)}0{rng.randint(1, 6)}室"
    # At most three printed lines of 11 characters.
    if rng.random() < 0.6 and len(addr + room) <= 33:
        addr += room
    start = rng.randint(2008, 2022)
    years = rng.choice([10, 20, None])
    valid = (f"{start}.{birth[1]:02d}.{birth[2]:02d}-"
             + (f"{start + years}.{birth[1]:02d}.{birth[2]:02d}" if years else "长期"))
    return {
        "name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2]))),
        "sex": sex,
        "nationality": rng.choice(NATIONS),
        "birth": birth,
        "address": addr,
        "id_number": id17 + id_check(id17),
        "issue_authority": authority,
        "validate_date": valid,
    }


def id_front(template, p, line_gap=22):
    img = template_card(template, FRONT_BOX)
    d = ImageDraw.Draw(img)
    s = SCALE
    lab, val = font(SANS, 13), font(BOLD, 15)
    x0, xv = 30 * s, 70 * s
    y, b = 35 * s, p["birth"]
    d.text((x0, y), "姓名", font=lab, fill=LABEL)
    d.text((xv, y - 2 * s), p["name"], font=val, fill=INK)
    y += 36 * s
    d.text((x0, y), "性别", font=lab, fill=LABEL)
    d.text((xv, y - 1 * s), p["sex"], font=val, fill=INK)
    d.text((130 * s, y), "民族", font=lab, fill=LABEL)
    d.text((170 * s, y - 1 * s), p["nationality"], font=val, fill=INK)
    y += 34 * s
    d.text((x0, y), "出生", font=lab, fill=LABEL)
    x = xv
    for part, unit in ((str(b[0]), "年"), (str(b[1]), "月"), (str(b[2]), "日")):
        d.text((x, y - 1 * s), part, font=val, fill=INK)
        x += d.textlength(part, font=val) + 6 * s
        d.text((x, y), unit, font=lab, fill=LABEL)
        x += d.textlength(unit, font=lab) + 10 * s
    y += 34 * s
    d.text((x0, y), "住址", font=lab, fill=LABEL)
    lines = p["address"] if isinstance(p["address"], list) else wrap(p["address"], 11)
    for line in lines:
        d.text((xv, y - 1 * s), line, font=val, fill=INK)
        y += line_gap * s
    y = 235 * s
    d.text((x0, y), "公民身份号码", font=lab, fill=LABEL)
    d.text((130 * s, y - 3 * s), p["id_number"], font=font(BOLD, 18), fill=INK)
    px0, py0, px1, py1 = 300 * s, 40 * s, 420 * s, 200 * s
    d.rectangle((px0, py0, px1, py1), fill=(226, 230, 236))
    cx = (px0 + px1) // 2
    d.ellipse((cx - 32 * s, py0 + 30 * s, cx + 32 * s, py0 + 105 * s), fill=(150, 155, 165))
    d.pieslice((cx - 58 * s, py0 + 110 * s, cx + 58 * s, py1 + 60 * s), 180, 360,
               fill=(150, 155, 165))
    return img.filter(ImageFilter.GaussianBlur(0.4))


def id_back(template, p):
    img = template_card(template, BACK_BOX)
    d = ImageDraw.Draw(img)
    s = SCALE
    d.ellipse((25 * s, 20 * s, 95 * s, 90 * s), outline=(200, 40, 40), width=3 * s)
    d.text((140 * s, 35 * s), "中华人民共和国", font=font(SERIF, 24), fill=INK)
    d.text((150 * s, 85 * s), "居民身份证", font=font(SERIF, 32), fill=INK)
    lab, val = font(SANS, 13), font(BOLD, 15)
    d.text((80 * s, 205 * s), "签发机关", font=lab, fill=LABEL)
    d.text((150 * s, 203 * s), p["issue_authority"], font=val, fill=INK)
    d.text((80 * s, 240 * s), "有效期限", font=lab, fill=LABEL)
    d.text((150 * s, 238 * s), p["validate_date"], font=val, fill=INK)
    return img.filter(ImageFilter.GaussianBlur(0.4))


def bank_card(rng):
    name, prefix = rng.choice(BANKS)
    length = rng.choice([16, 19])
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    number = body + luhn_digit(body)
    month, year = rng.randint(1, 12), rng.randint(25, 35)
    w, h = 856, 540
    top = tuple(rng.randint(20, 200) for _ in range(3))
    bottom = tuple(max(0, c - rng.randint(10, 60)) for c in top)
    img = Image.new("RGB", (w, h))
    d = ImageDraw.Draw(img)
    for y in range(h):
        t = y / h
        d.line([(0, y), (w, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
    ink = (255, 255, 255) if sum(top) < 400 else (20, 20, 20)
    d.text((50, 40), name, font=ImageFont.truetype(BOLD, 44), fill=ink)
    d.rounded_rectangle((70, 170, 170, 245), radius=10, fill=(212, 180, 90))
    groups = [number[i:i + 4] for i in range(0, 16, 4)] + ([number[16:]] if length > 16 else [])
    nf = ImageFont.truetype(BOLD, 48 if length == 16 else 42)
    d.text((60, 300), "  ".join(groups), font=nf, fill=ink)
    sf = ImageFont.truetype(SANS, 26)
    d.text((330, 390), f"VALID THRU  {month:02d}/{year:02d}", font=sf, fill=ink)
    d.text((60, 450), rng.choice(PINYIN), font=sf, fill=ink)
    truth = {"card_number": number, "bank_name": name, "validate_date": f"{month:02d}/{year:02d}"}
    return img, truth


# ---------------------------------------------------------------------------
# Common drawing for the other documents (pixel sizes, about 10 px per mm).

SC = 2  # face index of Noto Sans CJK SC in the .ttc collections
TC = 3  # face index of Noto Sans CJK TC
MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
RED = (200, 30, 30)
_FONTS = {}


def face(path, px, index=SC):
    """A font of `px` pixels, cached."""
    key = (path, int(px), index)
    if key not in _FONTS:
        _FONTS[key] = ImageFont.truetype(path, int(px), index=index)
    return _FONTS[key]


def paper(w, h, rng, base=(246, 244, 238), tint=6):
    """A plain page of `w`×`h` pixels with a faint security-print pattern."""
    img = Image.new("RGB", (w, h), tuple(min(255, c + rng.randint(-tint, tint)) for c in base))
    d = ImageDraw.Draw(img)
    line = tuple(max(0, c - 14) for c in base)
    step = rng.randint(22, 34)
    for x in range(-h, w, step):
        d.line([(x, 0), (x + h, h)], fill=line, width=1)
    return img


def portrait(d, box, fill=(226, 230, 236), body=(150, 155, 165)):
    """A plain silhouette in `box` (left, top, right, bottom): no real face."""
    x0, y0, x1, y1 = box
    d.rectangle(box, fill=fill)
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) // 2
    d.ellipse((cx - w * 0.27, y0 + h * 0.18, cx + w * 0.27, y0 + h * 0.62), fill=body)
    d.pieslice((cx - w * 0.48, y0 + h * 0.66, cx + w * 0.48, y1 + h * 0.4), 180, 360, fill=body)


def fit_lines(d, text, fnt, width):
    """Splits `text` into the fewest lines no wider than `width` pixels."""
    lines, cur = [], ""
    for ch in text:
        if cur and d.textlength(cur + ch, font=fnt) > width:
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        lines.append(cur)
    return lines


def label(d, xy, zh, en, zf, ef, fill=INK):
    """A label: Chinese on top, its small English name below."""
    x, y = xy
    d.text((x, y), zh, font=zf, fill=fill)
    if en:
        d.text((x, y + zf.size + 2), en, font=ef, fill=fill)


def seal(d, center, r, lines, fnt, color=RED):
    """A red round stamp with `lines` of text written straight across."""
    cx, cy = center
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=color, width=max(3, r // 18))
    d.regular_polygon((cx, cy - r * 0.45, r * 0.16), 5, fill=color)
    y = cy - r * 0.12
    for line in lines:
        w = d.textlength(line, font=fnt)
        d.text((cx - w / 2, y), line, font=fnt, fill=color)
        y += fnt.size + 4


def ymd(rng, lo, hi):
    return (rng.randint(lo, hi), rng.randint(1, 12), rng.randint(1, 28))


def dash(date):
    return f"{date[0]:04d}-{date[1]:02d}-{date[2]:02d}"


def person_id(rng, code, sex, birth):
    seq = rng.randint(0, 99) * 10 + rng.choice([1, 3, 5, 7, 9] if sex == "男" else [0, 2, 4, 6, 8])
    id17 = f"{code}{birth[0]:04d}{birth[1]:02d}{birth[2]:02d}{seq:03d}"
    return id17 + id_check(id17)


def fake_name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))


def fake_address(rng, place, max_len=30):
    addr = f"{place}{rng.choice(STREETS)}{rng.randint(1, 300)}号"
    room = f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{rng.randint(1, 30)}0{rng.randint(1, 6)}室"
    if rng.random() < 0.6 and len(addr + room) <= max_len:
        addr += room
    return addr


# ---------------------------------------------------------------------------
# Check characters of the other documents.

def vin_check(vin):
    """ISO 3779 / GB 16735 check digit (position 9) of a 17-character VIN;
    the 9th character of `vin` is ignored."""
    values = {**{str(i): i for i in range(10)},
              **dict(zip("ABCDEFGH", range(1, 9))), **dict(zip("JKLMN", range(1, 6))),
              "P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10)))}
    weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
    s = sum(values[c] * w for c, w in zip(vin, weights))
    return "X" if s % 11 == 10 else str(s % 11)


CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code(rng, region):
    """An 18-character unified social credit code (GB 32100-2015): `91`, the
    region, a 9-character organisation code (GB 11714 check) and the GB 32100
    check character."""
    body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    w = [3, 7, 9, 10, 5, 8, 4, 2]
    s = sum(CREDIT_CHARS.index(c) * k for c, k in zip(body, w))
    c9 = 11 - s % 11
    org = body + ("X" if c9 == 10 else "0" if c9 == 11 else str(c9))
    code17 = "91" + region + org
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    s = sum(CREDIT_CHARS.index(c) * k for c, k in zip(code17, weights))
    return code17 + CREDIT_CHARS[(31 - s % 31) % 31]


def mrz_value(c):
    """ICAO 9303 part 3 character value: digits as themselves, A-Z 10-35, < 0."""
    if c.isdigit():
        return int(c)
    if c == "<":
        return 0
    return ord(c) - ord("A") + 10


def mrz_check(field):
    """ICAO 9303 part 3 check digit: weights 7, 3, 1 repeated, sum mod 10."""
    return str(sum(mrz_value(c) * (7, 3, 1)[i % 3] for i, c in enumerate(field)) % 10)


def hkid_check(prefix, digits):
    """HKID check character: a one-letter prefix is preceded by a space (36);
    weights 9..2 over letters (A=10) and the six digits, check = 11 - sum mod
    11, where 10 is `A` and 11 is `0`."""
    chars = (" " + prefix if len(prefix) == 1 else prefix) + digits
    vals = [36 if c == " " else (ord(c) - 55 if c.isalpha() else int(c)) for c in chars]
    s = sum(v * w for v, w in zip(vals, range(9, 1, -1)))
    c = 11 - s % 11
    return "A" if c == 10 else "0" if c == 11 else str(c)


# ---------------------------------------------------------------------------
# Fake data pools.

PROVINCE_PLATE = {"110": "京", "310": "沪", "440": "粤", "510": "川", "330": "浙",
                  "420": "鄂", "320": "苏", "370": "鲁", "610": "陕", "430": "湘", "650": "新"}
DRIVE_TYPES = ["C1", "C1", "C1", "C2", "C1E", "B2", "A1", "A2", "B1", "C1D"]
VEHICLE_TYPES = [("小型轿车", 5, False), ("小型普通客车", 7, False), ("小型越野客车", 5, False),
                 ("轻型厢式货车", 2, True), ("重型半挂牵引车", 2, True), ("中型普通客车", 19, False)]
MODELS = ["大众汽车牌SVW71612FM", "丰田牌TV7250HEV", "本田牌HG7151FAC6", "比亚迪牌BYD7006BEV",
          "吉利美日牌MR7153D01", "长安牌SC6483ABA6", "别克牌SGM7158DAA1", "福田牌BJ5049XXY-FA",
          "五菱牌LZW6447PYW", "东风日产牌DFL7168VBL2"]
WMIS = ["LSV", "LFV", "LVS", "LGB", "LBV", "LHG", "LSG", "LGW", "LZW", "LDC"]
AUTHORITY_TRAFFIC = {"11": ["北京市公安局", "公安交通管理局"], "31": ["上海市公安局", "交通警察总队"],
                     "44": ["广东省公安厅", "交通警察总队"], "51": ["四川省公安厅", "交通警察总队"],
                     "33": ["浙江省公安厅", "交通警察总队"], "42": ["湖北省公安厅", "交通警察总队"],
                     "32": ["江苏省公安厅", "交通警察总队"], "37": ["山东省公安厅", "交通警察总队"],
                     "61": ["陕西省公安厅", "交通警察总队"], "43": ["湖南省公安厅", "交通警察总队"],
                     "65": ["新疆公安厅", "交通警察总队"]}
COMPANY_WORDS = ["恒信达", "华瑞", "宏图", "鑫源", "博远", "嘉禾", "天成", "中科创", "盛世", "瑞丰",
                 "明德", "汇通", "星辰", "海纳", "金桥", "新锐"]
TRADES = ["科技", "网络科技", "贸易", "餐饮管理", "建筑工程", "文化传媒", "医疗器械", "电子", "物流",
          "咨询", "教育科技", "食品"]
COMPANY_TYPES = ["有限责任公司（自然人投资或控股）", "有限责任公司（自然人独资）",
                 "其他有限责任公司", "股份有限公司（非上市、自然人投资或控股）",
                 "有限责任公司（法人独资）"]
CAPITAL = ["壹佰万元整", "伍佰万元整", "壹仟万元整", "贰佰万元整", "叁拾万元整", "伍拾万元整"]
SCOPE_ITEMS = ["技术开发、技术咨询、技术服务、技术转让", "计算机软硬件及辅助设备的销售",
               "企业管理咨询", "会议及展览服务", "日用百货、文具用品的批发与零售",
               "货物进出口、技术进出口", "广告设计、制作、代理、发布", "数据处理和存储服务",
               "电子产品、通讯设备的研发与销售", "室内外装饰装修工程施工", "餐饮服务",
               "道路普通货物运输", "医疗器械的销售", "教育信息咨询（不含培训）",
               "食品经营（凭许可证经营）", "市场营销策划", "仓储服务（不含危险化学品）"]
SCOPE_TAIL = "（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
REG_AUTHORITY = {"11": "北京市东城区市场监督管理局", "31": "上海市徐汇区市场监督管理局",
                 "44": "深圳市市场监督管理局", "51": "成都市武侯区市场监督管理局",
                 "33": "杭州市西湖区市场监督管理局", "42": "武汉市江岸区市场监督管理局",
                 "32": "南京市玄武区市场监督管理局", "37": "济南市历下区市场监督管理局",
                 "61": "西安市雁塔区市场监督管理局", "43": "长沙市岳麓区市场监督管理局",
                 "65": "乌鲁木齐市天山区市场监督管理局"}
# Mainland characters with their Hanyu Pinyin, for passports.
PINYIN_SURNAMES = {"王": "WANG", "李": "LI", "张": "ZHANG", "刘": "LIU", "陈": "CHEN", "杨": "YANG",
                   "黄": "HUANG", "赵": "ZHAO", "吴": "WU", "周": "ZHOU", "徐": "XU", "孙": "SUN",
                   "马": "MA", "朱": "ZHU", "胡": "HU", "郭": "GUO", "何": "HE", "高": "GAO",
                   "林": "LIN", "罗": "LUO", "郑": "ZHENG", "梁": "LIANG", "欧阳": "OUYANG"}
PINYIN_GIVEN = {"伟": "WEI", "芳": "FANG", "娜": "NA", "秀": "XIU", "英": "YING", "敏": "MIN",
                "静": "JING", "丽": "LI", "强": "QIANG", "磊": "LEI", "军": "JUN", "洋": "YANG",
                "勇": "YONG", "艳": "YAN", "杰": "JIE", "娟": "JUAN", "涛": "TAO", "明": "MING",
                "超": "CHAO", "霞": "XIA", "平": "PING", "刚": "GANG", "华": "HUA", "文": "WEN",
                "辉": "HUI", "国": "GUO", "斌": "BIN", "鹏": "PENG", "宇": "YU", "晨": "CHEN",
                "欣": "XIN", "怡": "YI", "浩": "HAO", "然": "RAN", "嘉": "JIA", "琪": "QI",
                "婷": "TING", "东": "DONG", "新": "XIN", "梅": "MEI"}
PASSPORT_PLACES = [("北京", "BEIJING"), ("上海", "SHANGHAI"), ("广东", "GUANGDONG"),
                   ("四川", "SICHUAN"), ("浙江", "ZHEJIANG"), ("湖北", "HUBEI"),
                   ("江苏", "JIANGSU"), ("山东", "SHANDONG"), ("湖南", "HUNAN"), ("福建", "FUJIAN")]
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
# Traditional characters with their Cantonese romanisation and Chinese
# commercial code (電碼), for Hong Kong identity cards.
HK_SURNAMES = [("陳", "CHAN", "7115"), ("李", "LEE", "2621"), ("黃", "WONG", "7806"),
               ("張", "CHEUNG", "1728"), ("王", "WONG", "3769"), ("劉", "LAU", "0491"),
               ("林", "LAM", "2651"), ("何", "HO", "0149"), ("梁", "LEUNG", "2733"),
               ("吳", "NG", "0702"), ("周", "CHOW", "0719"), ("鄭", "CHENG", "6774"),
               ("楊", "YEUNG", "2799")]
HK_GIVEN = [("大", "Tai", "1129"), ("文", "Man", "2429"), ("明", "Ming", "2494"),
            ("志", "Chi", "1807"), ("強", "Keung", "1730"), ("華", "Wah", "5478"),
            ("英", "Ying", "5391"), ("美", "Mei", "5019"), ("玲", "Ling", "3781"),
            ("芳", "Fong", "5364"), ("家", "Ka", "1367"), ("敏", "Man", "2404"),
            ("國", "Kwok", "0948"), ("小", "Siu", "1420"), ("麗", "Lai", "7787"),
            ("梅", "Mui", "2734")]
SS_BANKS = ["中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "交通银行", "中国邮政储蓄银行"]


def region_pick(rng):
    code, place, authority = rng.choice(REGIONS)
    return code, place, authority


# ---------------------------------------------------------------------------
# Driving licence, main page (about 88×60 mm).

def drive_license(rng):
    code, place, _ = region_pick(rng)
    sex = rng.choice("男女")
    birth = ymd(rng, 1955, 2003)
    first = (min(2024, birth[0] + rng.randint(18, 40)), rng.randint(1, 12), rng.randint(1, 28))
    start = (min(2025, first[0] + rng.choice([0, 0, 6, 16])), first[1], first[2])
    years = rng.choice([6, 10, 10])
    end = (start[0] + years, start[1], start[2])
    new_style = rng.random() < 0.4
    f = {
        "driving_license_main_number": person_id(rng, code, sex, birth),
        "name": fake_name(rng),
        "sex": sex,
        "driving_license_main_nationality": "中国",
        "address": fake_address(rng, place, 30),
        "birthday": dash(birth),
        "issue_date": dash(first),
        "drive_type": rng.choice(DRIVE_TYPES),
        "valid_period_from": dash(start),
        "valid_period": f"{years}年" if new_style else dash(end),
        "licence_issuing_authority": "".join(AUTHORITY_TRAFFIC[code[:2]]),
    }
    w, h = 880, 600
    img = paper(w, h, rng, base=(240, 243, 236))
    d = ImageDraw.Draw(img)
    title = face(BOLD, 36)
    t = "中华人民共和国机动车驾驶证"
    d.text(((w - d.textlength(t, font=title)) / 2, 22), t, font=title, fill=INK)
    sub = face(SANS, 17)
    t = "Driving License of the People's Republic of China"
    d.text(((w - d.textlength(t, font=sub)) / 2, 70), t, font=sub, fill=INK)
    zf, ef, vf = face(SANS, 19), face(SANS, 11), face(BOLD, 23)
    grid = (150, 160, 150)
    x0, x1 = 30, w - 30
    d.rectangle((x0, 105, x1, h - 25), outline=grid, width=2)
    rows = [105, 160, 215, 320, 375, 430, 485, h - 25]
    for y in rows[1:-1]:
        d.line([(x0, y), (x1 if y <= 215 else 640, y)], fill=grid, width=1)
    d.line([(640, 215), (640, h - 25)], fill=grid, width=1)
    # 证号 row
    label(d, (x0 + 12, 110), "证号", "License No.", zf, ef)
    d.text((150, 118), f["driving_license_main_number"], font=face(BOLD, 27), fill=INK)
    # 姓名 / 性别 / 国籍 row
    label(d, (x0 + 12, 165), "姓名", "Name", zf, ef)
    d.text((125, 172), f["name"], font=vf, fill=INK)
    label(d, (330, 165), "性别", "Sex", zf, ef)
    d.text((400, 172), f["sex"], font=vf, fill=INK)
    label(d, (520, 165), "国籍", "Nationality", zf, ef)
    d.text((640, 172), f["driving_license_main_nationality"], font=vf, fill=INK)
    # 住址, up to three lines
    label(d, (x0 + 12, 222), "住址", "Address", zf, ef)
    lines = fit_lines(d, f["address"], vf, 500)
    for i, line in enumerate(lines[:3]):
        d.text((125, 222 + i * 31), line, font=vf, fill=INK)
    portrait(d, (665, 235, 835, 440))
    label(d, (x0 + 12, 327), "出生日期", "Date of Birth", zf, ef)
    d.text((220, 334), f["birthday"], font=vf, fill=INK)
    label(d, (x0 + 12, 382), "初次领证日期", "Date of First Issue", zf, ef)
    d.text((220, 389), f["issue_date"], font=vf, fill=INK)
    label(d, (x0 + 12, 437), "准驾车型", "Class", zf, ef)
    d.text((220, 444), f["drive_type"], font=vf, fill=INK)
    if new_style:
        label(d, (x0 + 12, 492), "有效起始日期", "Valid From", zf, ef)
        d.text((220, 499), f["valid_period_from"], font=vf, fill=INK)
        label(d, (400, 492), "有效期限", "Valid For", zf, ef)
        d.text((510, 499), f["valid_period"], font=vf, fill=INK)
    else:
        label(d, (x0 + 12, 492), "有效期限", "Valid Period", zf, ef)
        d.text((220, 499), f"{f['valid_period_from']} 至 {f['valid_period']}", font=vf, fill=INK)
    seal(d, (745, 520), 58, AUTHORITY_TRAFFIC[code[:2]], face(BOLD, 14))
    return img.filter(ImageFilter.GaussianBlur(0.4)), f


# ---------------------------------------------------------------------------
# Vehicle licence, main page and back page (about 88×60 mm each).

def fake_vin(rng):
    chars = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
    body = rng.choice(WMIS) + "".join(rng.choice(chars) for _ in range(5)) + "0" \
        + rng.choice("GHJKLMNPRS") + rng.choice(chars) + "".join(rng.choice("0123456789") for _ in range(6))
    return body[:8] + vin_check(body) + body[9:]


def fake_plate(rng, code):
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    tail = "".join(rng.choice("0123456789" + letters[:10]) for _ in range(4)) + rng.choice("0123456789")
    return PROVINCE_PLATE[code[:3]] + rng.choice("ABCDEFG") + tail


def vehicle_data(rng):
    code, place, _ = region_pick(rng)
    vtype, seats, truck = rng.choice(VEHICLE_TYPES)
    reg = ymd(rng, 2008, 2024)
    issue = reg if rng.random() < 0.7 else (min(2025, reg[0] + rng.randint(1, 4)), rng.randint(1, 12), rng.randint(1, 28))
    company = rng.random() < 0.25
    owner = (place[:3].rstrip("省") + rng.choice(COMPANY_WORDS) + rng.choice(TRADES) + "有限公司") \
        if company else fake_name(rng)
    if place.startswith("新疆"):
        owner = owner if not company else "乌鲁木齐" + rng.choice(COMPANY_WORDS) + "物流有限公司"
    kerb = rng.randint(1100, 2200) if not truck else rng.randint(2500, 9000)
    load = rng.randint(500, 15000) if truck else None
    gross = kerb + seats * 65 + (load or 0)
    length, width, height = rng.randint(3800, 5200), rng.randint(1600, 1950), rng.randint(1400, 1950)
    if truck:
        length, height = rng.randint(5000, 12000), rng.randint(2200, 3800)
    main = {
        "plate_no": fake_plate(rng, code),
        "vehicle_type": vtype,
        "owner": owner,
        "address": fake_address(rng, place, 26),
        "use_character": rng.choice(["非营运", "非营运", "营运", "货运"] if truck else ["非营运", "非营运", "非营运", "营运"]),
        "model": rng.choice(MODELS),
        "vin": fake_vin(rng),
        "engine_no": "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(rng.randint(7, 10))),
        "register_date": dash(reg),
        "issue_date": dash(issue),
    }
    inspect = (min(2027, reg[0] + rng.randint(2, 10)), rng.randint(1, 12))
    back = {
        "plate_no": main["plate_no"],
        "file_no": "".join(rng.choice("0123456789") for _ in range(12)),
        "approved_passengers": f"{seats}人",
        "gross_mass": f"{gross}kg",
        "unladen_mass": f"{kerb}kg",
        "overall_dimension": f"{length}×{width}×{height}mm",
        "inspection_record": f"检验有效期至{inspect[0]}年{inspect[1]:02d}月",
    }
    if truck:
        back["approved_load"] = f"{load}kg"
        back["traction_mass"] = f"{rng.randint(10, 40) * 1000}kg" if "牵引" in vtype else "--"
    return code, main, back


def vehicle_frame(rng, title_zh, title_en):
    w, h = 880, 600
    img = paper(w, h, rng, base=(238, 240, 246))
    d = ImageDraw.Draw(img)
    if title_zh:
        tf = face(BOLD, 34)
        d.text(((w - d.textlength(title_zh, font=tf)) / 2, 22), title_zh, font=tf, fill=INK)
        sf = face(SANS, 17)
        d.text(((w - d.textlength(title_en, font=sf)) / 2, 68), title_en, font=sf, fill=INK)
    return img, d, w, h


def vehicle_main(rng):
    code, f, _ = vehicle_data(rng)
    img, d, w, h = vehicle_frame(rng, "中华人民共和国机动车行驶证",
                                 "Vehicle License of the People's Republic of China")
    zf, ef, vf = face(SANS, 19), face(SANS, 11), face(BOLD, 23)
    grid = (150, 150, 170)
    d.rectangle((30, 100, w - 30, h - 25), outline=grid, width=2)
    rows = [(100, [("号牌号码", "Plate No.", "plate_no", 160), ("车辆类型", "Vehicle Type", "vehicle_type", 590)]),
            (158, [("所有人", "Owner", "owner", 160)]),
            (216, [("住址", "Address", "address", 160)]),
            (274, [("使用性质", "Use Character", "use_character", 160), ("品牌型号", "Model", "model", 590)]),
            (332, [("车辆识别代号", "VIN", "vin", 200)]),
            (390, [("发动机号码", "Engine No.", "engine_no", 200)]),
            (448, [("注册日期", "Register Date", "register_date", 160), ("发证日期", "Issue Date", "issue_date", 590)])]
    for y, cells in rows:
        if y > 100:
            d.line([(30, y), (w - 30, y)], fill=grid, width=1)
        for i, (zh, en, key, vx) in enumerate(cells):
            lx = 42 if i == 0 else 460
            label(d, (lx, y + 5), zh, en, zf, ef)
            fnt = vf
            avail = (440 if i == 0 and len(cells) > 1 else w - 40) - vx
            while d.textlength(f[key], font=fnt) > avail and fnt.size > 14:
                fnt = face(BOLD, fnt.size - 1)
            d.text((vx, y + 14), f[key], font=fnt, fill=INK)
        if len(cells) > 1:
            d.line([(450, y), (450, y + 58)], fill=grid, width=1)
    seal(d, (735, 548), 42, [AUTHORITY_TRAFFIC[code[:2]][0]], face(BOLD, 12))
    return img.filter(ImageFilter.GaussianBlur(0.4)), f


def vehicle_back(rng):
    _, _, f = vehicle_data(rng)
    img, d, w, h = vehicle_frame(rng, None, None)
    zf, ef, vf = face(SANS, 19), face(SANS, 11), face(BOLD, 23)
    grid = (150, 150, 170)
    d.rectangle((30, 30, w - 30, h - 30), outline=grid, width=2)
    rows = [[("号牌号码", "Plate No.", "plate_no"), ("档案编号", "File No.", "file_no")],
            [("核定载人数", "Approved Passengers", "approved_passengers"), ("总质量", "Gross Mass", "gross_mass")],
            [("整备质量", "Unladen Mass", "unladen_mass"), ("核定载质量", "Approved Load", "approved_load")],
            [("外廓尺寸", "Overall Dimension", "overall_dimension")],
            [("准牵引总质量", "Traction Mass", "traction_mass")],
            [("备注", "Remarks", None)],
            [("检验记录", "Inspection Record", "inspection_record")]]
    y = 30
    for cells in rows:
        if y > 30:
            d.line([(30, y), (w - 30, y)], fill=grid, width=1)
        for i, (zh, en, key) in enumerate(cells):
            lx = 42 if i == 0 else 460
            label(d, (lx, y + 6), zh, en, zf, ef)
            if key and key in f:
                vx = lx + max(125, int(d.textlength(zh, font=zf)) + 20)
                d.text((vx, y + 14), f[key], font=vf, fill=INK)
        if len(cells) > 1:
            d.line([(450, y), (450, y + 66)], fill=grid, width=1)
        y += 66 if cells[0][0] != "备注" else 70
    return img.filter(ImageFilter.GaussianBlur(0.4)), f


# ---------------------------------------------------------------------------
# Business licence (A4-like pages at about 150 dpi).

BIZ_LAYOUTS = ["2019-horizontal-original", "2015-vertical-copy", "2019-vertical-copy",
               "2015-horizontal-original", "2019-horizontal-copy", "2015-vertical-original",
               "2019-vertical-original", "2015-horizontal-copy"]


def business_data(rng):
    code, place, _ = region_pick(rng)
    city = place.split("省")[-1].split("自治区")[-1]
    city = city[:city.index("市") + 1] if "市" in city else city
    start = ymd(rng, 2000, 2024)
    long_term = rng.random() < 0.6
    end = (start[0] + rng.choice([10, 20, 30]), start[1], max(1, start[2] - 1))
    cn = lambda t: f"{t[0]}年{t[1]:02d}月{t[2]:02d}日"
    items = rng.sample(SCOPE_ITEMS, rng.randint(3, 7))
    scope = "；".join(items) + "。" + SCOPE_TAIL
    return code, {
        "BizLicenseCreditCode": credit_code(rng, code),
        "BizLicenseCompanyName": city + rng.choice(COMPANY_WORDS) + rng.choice(TRADES) + "有限公司",
        "BizLicenseCompanyType": rng.choice(COMPANY_TYPES),
        "BizLicenseAddress": fake_address(rng, place, 40).replace("栋", "号楼").replace("单元", "单元") ,
        "BizLicenseOwnerName": fake_name(rng),
        "BizLicenseRegCapital": rng.choice(CAPITAL).join(["人民币", ""]) if rng.random() < 0.5
        else f"{rng.choice([10, 50, 100, 200, 300, 500, 1000])}万元人民币",
        "BizLicenseStartTime": cn(start),
        "BizLicenseOperatingPeriod": f"{cn(start)}至" + ("长期" if long_term else cn(end)),
        "BizLicenseScope": scope,
    }


def qr_block(d, box, rng):
    """A QR-code-like pattern (random modules, three finder squares)."""
    x0, y0, x1, _ = box
    n = 25
    m = (x1 - x0) / n
    for r in range(n):
        for c in range(n):
            if rng.random() < 0.5:
                d.rectangle((x0 + c * m, y0 + r * m, x0 + (c + 1) * m, y0 + (r + 1) * m), fill=INK)
    for fx, fy in ((0, 0), (n - 7, 0), (0, n - 7)):
        bx, by = x0 + fx * m, y0 + fy * m
        d.rectangle((bx, by, bx + 7 * m, by + 7 * m), fill=(255, 255, 255))
        d.rectangle((bx, by, bx + 7 * m, by + 7 * m), outline=INK, width=int(m))
        d.rectangle((bx + 2 * m, by + 2 * m, bx + 5 * m, by + 5 * m), fill=INK)


def business_license(rng, layout):
    code, f = business_data(rng)
    year, orient, copy = layout.split("-")
    f["BizLicenseIsCopy"] = "是" if copy == "copy" else "否"
    w, h = (1560, 1100) if orient == "horizontal" else (1100, 1560)
    img = Image.new("RGB", (w, h), (250, 249, 245))
    d = ImageDraw.Draw(img)
    border = (196, 150, 60)
    d.rectangle((20, 20, w - 20, h - 20), outline=border, width=10)
    d.rectangle((40, 40, w - 40, h - 40), outline=border, width=2)
    d.ellipse((w / 2 - 45, 70, w / 2 + 45, 160), outline=RED, width=5)
    d.regular_polygon((w / 2, 115, 26), 5, fill=RED)
    tf = face(SERIF, 92, index=SC)
    t = "营业执照"
    ty = 175
    d.text(((w - d.textlength(t, font=tf)) / 2, ty), t, font=tf, fill=RED)
    sf = face(SANS, 30)
    if copy == "copy":
        t = "（副  本）"
        d.text(((w - d.textlength(t, font=sf)) / 2, ty + 120), t, font=sf, fill=INK)
        d.text((w - 330, 70), f"副本编号：1-{rng.randint(1, 3)}", font=face(SANS, 22), fill=INK)
    cf = face(SANS, 24)
    d.text((80, 90), "统一社会信用代码", font=cf, fill=INK)
    d.text((80, 125), f["BizLicenseCreditCode"], font=face(BOLD, 30), fill=INK)
    qx = w - 230
    qr_block(d, (qx, 130 if copy == "copy" else 95, qx + 150, 0), rng)
    lf, vf = face(BOLD, 28), face(SANS, 28)
    lh = 44
    fields = [("名称", "BizLicenseCompanyName"), ("类型", "BizLicenseCompanyType"),
              ("法定代表人", "BizLicenseOwnerName"), ("经营范围", "BizLicenseScope"),
              ("注册资本", "BizLicenseRegCapital"), ("成立日期", "BizLicenseStartTime"),
              ("营业期限", "BizLicenseOperatingPeriod"), ("住所", "BizLicenseAddress")]
    if year == "2015":
        fields = [fields[i] for i in (0, 1, 7, 2, 4, 5, 6, 3)]
    top = ty + 190

    def spaced(lab):
        return lab if len(lab) > 2 else lab[0] + "\u3000\u3000" + lab[1]

    def column(x, y, width, items):
        lab_w = int(d.textlength("法定代表人", font=lf)) + 30
        for lab, key in items:
            d.text((x, y), spaced(lab), font=lf, fill=INK)
            lines = fit_lines(d, f[key], vf, width - lab_w)
            for line in lines:
                d.text((x + lab_w, y), line, font=vf, fill=INK)
                y += lh
            y += 20
        return y

    if year == "2019" and orient == "horizontal":
        left = [fields[i] for i in (0, 1, 2, 3)]
        right = [fields[i] for i in (4, 5, 6, 7)]
        column(100, top, 720, left)
        column(870, top, 600, right)
    else:
        column(110, top, w - 220, fields)
    # Registration authority and date, bottom right, with a red seal.
    auth = REG_AUTHORITY[code[:2]]
    issue = ymd(rng, 2019 if year == "2019" else 2015, 2025)
    gx, gy = w - 470, h - 250
    d.text((gx, gy), "登记机关", font=lf, fill=INK)
    seal(d, (gx + 250, gy + 60), 95, [auth[:len(auth) // 2], auth[len(auth) // 2:]], face(BOLD, 17))
    d.text((gx + 80, gy + 120), f"{issue[0]}年{issue[1]:02d}月{issue[2]:02d}日", font=vf, fill=INK)
    foot = face(SANS, 18)
    d.text((80, h - 90), "国家企业信用信息公示系统网址：http://www.gsxt.gov.cn", font=foot, fill=INK)
    return img.filter(ImageFilter.GaussianBlur(0.4)), f


# ---------------------------------------------------------------------------
# Passport data page (125×88 mm) with its ICAO 9303 TD3 machine-readable zone.

def passport_date(t):
    return f"{t[2]:02d} {MONTHS[t[1] - 1]} {t[0]}"


def yymmdd(t):
    return f"{t[0] % 100:02d}{t[1]:02d}{t[2]:02d}"


def make_mrz(surname, given, number, birth, sex, expiry, personal):
    """The two 44-character TD3 lines (ICAO 9303 part 4) with check digits."""
    names = (surname + "<<" + given.replace(" ", "<"))
    line1 = ("P<CHN" + names + "<" * 44)[:44]
    num = (number + "<" * 9)[:9]
    pers = (personal + "<" * 14)[:14]
    pers_check = mrz_check(pers) if personal else "<"
    line2 = (num + mrz_check(num) + "CHN" + yymmdd(birth) + mrz_check(yymmdd(birth)) + sex
             + yymmdd(expiry) + mrz_check(yymmdd(expiry)) + pers + pers_check)
    composite = line2[0:10] + line2[13:20] + line2[21:43]
    return line1, line2 + mrz_check(composite)


def passport(rng):
    sur_zh = rng.choice(list(PINYIN_SURNAMES))
    given = rng.sample(list(PINYIN_GIVEN), rng.choice([1, 2, 2]))
    sur_en, given_en = PINYIN_SURNAMES[sur_zh], "".join(PINYIN_GIVEN[c] for c in given)
    sex = rng.choice("MF")
    birth = ymd(rng, 1950, 2015)
    issue = ymd(rng, 2016, 2025)
    expiry = (issue[0] + (5 if 2025 - birth[0] < 16 else 10), issue[1], max(1, issue[2] - 1))
    number = "E" + (rng.choice("ABCDEFGHJK") + "".join(rng.choice("0123456789") for _ in range(7))
                    if rng.random() < 0.5 else "".join(rng.choice("0123456789") for _ in range(8)))
    bplace, iplace = rng.choice(PASSPORT_PLACES), rng.choice(PASSPORT_PLACES)
    personal = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(rng.choice([10, 12]))) \
        if rng.random() < 0.7 else ""
    l1, l2 = make_mrz(sur_en, given_en, number, birth, sex, expiry, personal)
    f = {
        "passport_type": "P",
        "country_code": "CHN",
        "passport_number": number,
        "name": sur_zh + "".join(given),
        "english_name": f"{sur_en}, {given_en}",
        "sex": ("男/M" if sex == "M" else "女/F"),
        "nationality": "中国/CHINESE",
        "birth": passport_date(birth),
        "birth_place": f"{bplace[0]}/{bplace[1]}",
        "issue_date": passport_date(issue),
        "issue_place": f"{iplace[0]}/{iplace[1]}",
        "expiry_date": passport_date(expiry),
        "mrz": l1 + "\n" + l2,
    }
    w, h = 1250, 880
    img = paper(w, h, rng, base=(236, 240, 238), tint=5)
    d = ImageDraw.Draw(img)
    # Pale MRZ band.
    d.rectangle((0, 700, w, h), fill=(248, 248, 246))
    hf = face(BOLD, 34)
    d.text((60, 34), "护照", font=hf, fill=INK)
    d.text((150, 40), "PASSPORT", font=face(BOLD, 28), fill=INK)
    t = "中华人民共和国  PEOPLE'S REPUBLIC OF CHINA"
    d.text((w - 60 - d.textlength(t, font=face(SANS, 24)), 44), t, font=face(SANS, 24), fill=INK)
    portrait(d, (60, 150, 360, 560))
    lf, vf = face(SANS, 19), face(BOLD, 27)
    x1, x2, x3 = 420, 640, 860

    def item(x, y, lab, val):
        d.text((x, y), lab, font=lf, fill=(70, 70, 90))
        d.text((x, y + 25), val, font=vf, fill=INK)

    item(x1, 120, "类型/Type", f["passport_type"])
    item(x2, 120, "国家码/Code of Issuing State", f["country_code"])
    item(x3 + 60, 120, "护照号/Passport No.", f["passport_number"])
    d.text((x1, 195), "姓名/Name", font=lf, fill=(70, 70, 90))
    d.text((x1, 220), f["name"], font=vf, fill=INK)
    d.text((x1, 258), f["english_name"], font=vf, fill=INK)
    item(x1, 310, "性别/Sex", f["sex"])
    item(x2, 310, "国籍/Nationality", f["nationality"])
    item(x1, 385, "出生日期/Date of birth", f["birth"])
    item(x2 + 80, 385, "出生地点/Place of birth", f["birth_place"])
    item(x1, 460, "签发日期/Date of issue", f["issue_date"])
    item(x2 + 80, 460, "签发地点/Place of issue", f["issue_place"])
    item(x1, 535, "有效期至/Date of expiry", f["expiry_date"])
    item(x2 + 80, 535, "签发机关/Authority", "国家移民管理局")
    d.text((x2 + 80, 595), "National Immigration Administration, PRC", font=face(SANS, 19), fill=INK)
    mf = face(MONO, 40, index=0)
    cw = d.textlength("<", font=mf)
    x0 = (w - cw * 44) / 2
    d.text((x0, 725), l1, font=mf, fill=INK)
    d.text((x0, 790), l2, font=mf, fill=INK)
    return img.filter(ImageFilter.GaussianBlur(0.4)), f


# ---------------------------------------------------------------------------
# Hong Kong permanent identity card (ID-1, 85.6×54 mm).

def hongkong_idcard(rng):
    sur = rng.choice(HK_SURNAMES)
    given = rng.sample(HK_GIVEN, 2)
    sex = rng.choice("MF")
    birth = ymd(rng, 1950, 2008)
    first = (max(birth[0] + 11, 1980) + rng.randint(0, 20), rng.randint(1, 12))
    first = (min(first[0], 2024), first[1])
    issue = (rng.randint(max(first[0], 2018), 2025), rng.randint(1, 12), rng.randint(1, 28))
    prefix = rng.choice("ACDEGHKPRVYZ") if rng.random() < 0.85 else rng.choice(["XA", "WX", "XD"])
    digits = "".join(rng.choice("0123456789") for _ in range(6))
    f = {
        "name": sur[0] + given[0][0] + given[1][0],
        "english_name": f"{sur[1]}, {given[0][1]} {given[1][1]}",
        "name_code": f"{sur[2]} {given[0][2]} {given[1][2]}",
        "birth": f"{birth[2]:02d}-{birth[1]:02d}-{birth[0]}",
        "sex": "男 M" if sex == "M" else "女 F",
        "symbol": "***" + rng.choice(["AZ", "AO", "BZ", "CZ", "AY"]),
        "first_issued": f"({first[1]:02d}-{first[0] % 100:02d})",
        "issued": f"{issue[2]:02d}-{issue[1]:02d}-{issue[0] % 100:02d}",
        "id_number": f"{prefix}{digits}({hkid_check(prefix, digits)})",
    }
    w, h = 856, 540
    img = paper(w, h, rng, base=(232, 238, 246), tint=5)
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, w, 110), fill=(214, 226, 242))
    tf = face(BOLD, 34, TC)
    d.text((40, 18), "香港永久性居民身份證", font=tf, fill=INK)
    d.text((40, 66), "HONG KONG PERMANENT IDENTITY CARD", font=face(BOLD, 22, TC), fill=INK)
    nf, vf, lf = face(BOLD, 34, TC), face(BOLD, 24, TC), face(SANS, 15, TC)
    d.text((40, 128), f["name"], font=nf, fill=INK)
    d.text((40, 178), f["english_name"], font=vf, fill=INK)
    d.text((40, 218), f["name_code"], font=vf, fill=INK)
    d.text((40, 262), "出生日期 Date of Birth", font=lf, fill=(60, 60, 80))
    d.text((40, 284), f["birth"], font=vf, fill=INK)
    d.text((300, 262), "性別 Sex", font=lf, fill=(60, 60, 80))
    d.text((300, 284), f["sex"], font=vf, fill=INK)
    d.text((40, 330), f["symbol"], font=vf, fill=INK)
    d.text((40, 372), "簽發日期 Date of Issue", font=lf, fill=(60, 60, 80))
    d.text((40, 394), f["first_issued"], font=vf, fill=INK)
    d.text((190, 394), f["issued"], font=vf, fill=INK)
    portrait(d, (560, 130, 800, 420), fill=(220, 226, 234))
    d.text((520, 450), f["id_number"], font=face(BOLD, 36, TC), fill=INK)
    return img.filter(ImageFilter.GaussianBlur(0.4)), f


# ---------------------------------------------------------------------------
# Social-security card (ID-1, 85.6×54 mm).

def social_security_card(rng):
    code, _, _ = region_pick(rng)
    sex = rng.choice("男女")
    birth = ymd(rng, 1950, 2010)
    issue = (rng.randint(2015, 2025), rng.randint(1, 12))
    f = {
        "name": fake_name(rng),
        "id_number": person_id(rng, code, sex, birth),
        "card_number": rng.choice("ABCDEFGHJKLMN") + "".join(rng.choice("0123456789") for _ in range(8)),
        "issue_date": f"{issue[0]}年{issue[1]:02d}月",
    }
    with_bank = rng.random() < 0.6
    if with_bank:
        bank, prefix = rng.choice(BANKS)
        body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(12 - len(prefix) + 6))
        f["bank_card_number"] = body + luhn_digit(body)
        f["bank_name"] = bank
    w, h = 856, 540
    img = paper(w, h, rng, base=(226, 236, 248), tint=4)
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, w, 120), fill=(40, 100, 170))
    d.ellipse((30, 20, 110, 100), outline=(250, 210, 80), width=5)
    d.text((130, 24), "中华人民共和国社会保障卡", font=face(BOLD, 38), fill=(255, 255, 255))
    d.text((132, 76), "SOCIAL SECURITY CARD OF THE PEOPLE'S REPUBLIC OF CHINA", font=face(SANS, 15),
           fill=(255, 255, 255))
    if with_bank:
        d.text((w - 40 - d.textlength(f["bank_name"], font=face(BOLD, 22)), 140), f["bank_name"],
               font=face(BOLD, 22), fill=(170, 20, 30))
    d.rounded_rectangle((50, 160, 140, 225), radius=8, fill=(212, 180, 90))
    lf, vf = face(SANS, 22), face(BOLD, 26)
    rows = [("姓名", "name"), ("社会保障号码", "id_number"), ("社会保障卡号", "card_number"),
            ("发卡日期", "issue_date")]
    if with_bank:
        rows.append(("银行卡号", "bank_card_number"))
    y = 250
    for lab, key in rows:
        d.text((50, y), lab, font=lf, fill=(50, 70, 110))
        d.text((210, y - 3), f[key], font=vf, fill=INK)
        y += 52 if with_bank else 60
    portrait(d, (640, 190, 810, 410))
    return img.filter(ImageFilter.GaussianBlur(0.4)), f


def solve(a, b):
    """Solves the linear system a x = b (Gaussian elimination)."""
    n = len(b)
    m = [row[:] + [v] for row, v in zip(a, b)]
    for i in range(n):
        p = max(range(i, n), key=lambda r: abs(m[r][i]))
        m[i], m[p] = m[p], m[i]
        for r in range(n):
            if r != i:
                f = m[r][i] / m[i][i]
                m[r] = [x - f * y for x, y in zip(m[r], m[i])]
    return [m[i][n] / m[i][i] for i in range(n)]


def perspective(img, rng, bg):
    """Maps the picture onto a random quadrilateral (corners moved by up to
    6% of the size) on a larger background."""
    w, h = img.size
    pad = int(0.12 * max(w, h))
    out_w, out_h = w + 2 * pad, h + 2 * pad
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    dst = [(pad + x + rng.uniform(-0.06, 0.06) * w, pad + y + rng.uniform(-0.06, 0.06) * h)
           for x, y in src]
    # Coefficients mapping output (dst) points to input (src) points.
    a, b = [], []
    for (x, y), (u, v) in zip(dst, src):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        b.append(u)
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b.append(v)
    coeffs = solve(a, b)
    mask = Image.new("L", img.size, 255).transform((out_w, out_h), Image.PERSPECTIVE, coeffs,
                                                   Image.BILINEAR)
    warped = img.transform((out_w, out_h), Image.PERSPECTIVE, coeffs, Image.BILINEAR)
    canvas = Image.new("RGB", (out_w, out_h), bg)
    canvas.paste(warped, (0, 0), mask)
    return canvas


def distort(img, rng):
    """A photo-like version of a clean card; returns it and its turn."""
    bg = tuple(rng.randint(40, 200) for _ in range(3))
    img = perspective(img, rng, bg)
    img = img.rotate(rng.uniform(-10, 10), resample=Image.BICUBIC, expand=True, fillcolor=bg)
    if rng.random() < 0.7:
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))
    # Uneven light: a brightness ramp in a random direction.
    w, h = img.size
    ramp = Image.linear_gradient("L").resize((w, h)).rotate(rng.uniform(0, 360), fillcolor=128)
    lo = rng.randint(150, 215)
    light = ramp.point(lambda v: lo + (255 - lo) * v // 255)
    img = ImageChops.multiply(img, Image.merge("RGB", (light, light, light)))
    # Noise.
    sigma = rng.uniform(4, 14)
    noise = Image.effect_noise((w, h), sigma).convert("RGB")
    img = ImageChops.add(img, noise, scale=1.0, offset=-128)
    angle = 0
    if rng.random() < 0.25:
        angle = rng.choice([90, 180, 270])
        # Stored turned counter-clockwise by `angle`: it needs `angle`
        # degrees clockwise to stand upright.
        img = img.rotate(angle, expand=True)
    return img, angle


def birth_text(b):
    return f"{b[0]}年{b[1]}月{b[2]}日"


# ---------------------------------------------------------------------------
# The committed examples/ pictures.

EXAMPLE_PERSON = {
    "name": "张三",
    "sex": "男",
    "nationality": "汉",
    "birth": (1990, 3, 7),
    "address": ["北京市东城区景山前街", "4号院2号楼301室"],
    "id_number": "11010119900307451" + id_check("11010119900307451"),
    "issue_authority": "北京市公安局东城分局",
    "validate_date": "2015.03.07-2035.03.07",
}


def photo(img, deg=-8.0):
    """The card lying on a dark desk, turned by `deg` degrees."""
    pad = 80
    bg = Image.new("RGB", (img.width + 2 * pad, img.height + 2 * pad), (62, 58, 54))
    bg.paste(img, (pad, pad))
    return bg.rotate(deg, resample=Image.BICUBIC, expand=True, fillcolor=(62, 58, 54))


def write_examples(out, template):
    """examples/id-card-front.jpg, id-card-back.jpg, id-card-front-skewed.jpg:
    one invented person (张三, 110101199003074514)."""
    os.makedirs(out, exist_ok=True)
    f = id_front(template, EXAMPLE_PERSON, line_gap=24)
    f.save(os.path.join(out, "id-card-front.jpg"), quality=90)
    id_back(template, EXAMPLE_PERSON).save(os.path.join(out, "id-card-back.jpg"), quality=90)
    photo(f).save(os.path.join(out, "id-card-front-skewed.jpg"), quality=88)
    print("wrote examples to", os.path.abspath(out), "ID number", EXAMPLE_PERSON["id_number"])


# ---------------------------------------------------------------------------
# The mix.

# Each type's share of one cycle: the pictures run through the selected
# types' kinds in this order, over and over.
KINDS = {
    "id_card": ["id_front", "id_front", "id_front", "id_back"],
    "bank_card": ["bank"],
    "drive_license": ["drive"],
    "vehicle_license": ["vehicle_main", "vehicle_back"],
    "business_license": ["business"],
    "passport": ["passport"],
    "hongkong_idcard": ["hongkong"],
    "social_security_cards": ["social_security"],
}


def render(kind, k, rng, template):
    """Draws the `k`-th picture of `kind`; returns (image, truth without
    distorted/image_angle)."""
    if kind == "bank":
        img, fields = bank_card(rng)
        return img, {"type": "bank_card", "side": None, "fields": fields}
    if kind in ("id_front", "id_back"):
        p = fake_person(rng)
        if kind == "id_front":
            img = id_front(template, p)
            fields = {k2: p[k2] for k2 in ("name", "sex", "nationality", "address", "id_number")}
            fields["birth"] = birth_text(p["birth"])
        else:
            img = id_back(template, p)
            fields = {k2: p[k2] for k2 in ("issue_authority", "validate_date")}
        return img, {"type": "id_card", "side": kind[3:], "fields": fields}
    if kind == "business":
        layout = BIZ_LAYOUTS[k % len(BIZ_LAYOUTS)]
        img, fields = business_license(rng, layout)
        return img, {"type": "business_license", "side": None, "layout": layout, "fields": fields}
    draw, doc_type, side = DRAWERS[kind]
    img, fields = draw(rng)
    return img, {"type": doc_type, "side": side, "fields": fields}


# kind -> (drawing function, document type, side), for the kinds drawn
# from the random source alone.
DRAWERS = {
    "drive": (drive_license, "drive_license", "main"),
    "vehicle_main": (vehicle_main, "vehicle_license", "main"),
    "vehicle_back": (vehicle_back, "vehicle_license", "back"),
    "passport": (passport, "passport", "main"),
    "hongkong": (hongkong_idcard, "hongkong_idcard", "front"),
    "social_security": (social_security_card, "social_security_cards", "front"),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="output folder (with --examples: where the examples go)")
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--types", default=",".join(KINDS),
                    help="comma-separated document types (default: all): " + ",".join(KINDS))
    ap.add_argument("--template", default=TEMPLATE)
    ap.add_argument("--clean-quality", type=int, default=92,
                    help="JPEG quality of the clean pictures (distorted: 50-90)")
    ap.add_argument("--max-side", type=int, default=0,
                    help="shrink pictures whose longer side is larger (0: keep)")
    ap.add_argument("--examples", action="store_true",
                    help="render examples/id-card-front.jpg, id-card-back.jpg and "
                         "id-card-front-skewed.jpg into OUT instead")
    args = ap.parse_args()
    if args.examples:
        write_examples(args.out, args.template)
        return
    types = [t.strip() for t in args.types.split(",") if t.strip()]
    unknown = [t for t in types if t not in KINDS]
    if unknown or not types:
        ap.error(f"unknown type(s) {', '.join(unknown) or '(none)'}; known: {', '.join(KINDS)}")
    cycle = [kind for t in types for kind in KINDS[t]]
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    seen = {}
    for i in range(args.count):
        kind = cycle[i % len(cycle)]
        k = seen.get(kind, 0)
        seen[kind] = k + 1
        distorted = (i // len(cycle)) % 2 == 1
        img, truth = render(kind, k, rng, args.template)
        fields = truth.pop("fields")
        angle = 0
        quality = args.clean_quality
        if distorted:
            img, angle = distort(img, rng)
            quality = rng.randint(50, 90)
        if args.max_side and max(img.size) > args.max_side:
            img.thumbnail((args.max_side, args.max_side), Image.LANCZOS)
        name = f"{i:04d}"
        img.save(os.path.join(args.out, name + ".jpg"), quality=quality)
        truth.update({"distorted": distorted, "image_angle": angle, "fields": fields})
        with open(os.path.join(args.out, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(truth, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
