#!/usr/bin/env python3
"""Renders synthetic specimen cards of FAKE people, each with its truth as
JSON, for xocr's offline engine: resident ID card fronts and backs drawn on
the blank template tests/corpus/身份证 正面 (1).jpg, and bank cards on
plain backgrounds.  Every name, date, address and number is invented at
random (ID numbers carry a valid GB 11643 check character, card numbers pass
Luhn).

Half of the pictures are clean scans; the other half are photo-like:
rotation within ±10°, perspective, blur, noise, uneven light, JPEG quality
50–90, and one in four turned by 90, 180 or 270 degrees.

    python3 scripts/specimens.py OUT_DIR [--count 200] [--seed 7]
                                 [--template PATH] [--clean-quality 92]
                                 [--max-side 0]

Writes OUT_DIR/NNNN.jpg and OUT_DIR/NNNN.json:
    {"type": "id_card" | "bank_card", "side": "front" | "back" | null,
     "distorted": bool, "image_angle": 0 | 90 | 180 | 270,
     "fields": {key: value, ...}}
image_angle is, as in the service's replies, the degrees the picture must be
turned clockwise to stand upright.

Needs Pillow and Debian's fonts-noto-cjk.
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


def id_front(template, p):
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
    for line in wrap(p["address"], 11):
        d.text((xv, y - 1 * s), line, font=val, fill=INK)
        y += 22 * s
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--template", default=TEMPLATE)
    ap.add_argument("--clean-quality", type=int, default=92,
                    help="JPEG quality of the clean cards (distorted: 50-90)")
    ap.add_argument("--max-side", type=int, default=0,
                    help="shrink pictures whose longer side is larger (0: keep)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    for i in range(args.count):
        kind = ["front", "front", "front", "back", "bank"][i % 5]
        distorted = (i // 5) % 2 == 1
        if kind == "bank":
            img, fields = bank_card(rng)
            truth = {"type": "bank_card", "side": None}
        else:
            p = fake_person(rng)
            if kind == "front":
                img = id_front(args.template, p)
                fields = {k: p[k] for k in ("name", "sex", "nationality", "address", "id_number")}
                fields["birth"] = birth_text(p["birth"])
            else:
                img = id_back(args.template, p)
                fields = {k: p[k] for k in ("issue_authority", "validate_date")}
            truth = {"type": "id_card", "side": kind}
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
