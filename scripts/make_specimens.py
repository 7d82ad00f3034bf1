#!/usr/bin/env python3
"""Renders the specimen pictures in examples/: a fake resident ID card, front
and back, drawn on the blank template tests/corpus/身份证 正面 (1).jpg,
plus a skewed "photo" of the front.  All personal data is invented.

Needs Pillow (pip install pillow) and Debian's fonts-noto-cjk.

    python3 scripts/make_specimens.py [TEMPLATE] [OUT_DIR]
"""
import math
import os
import sys

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    HERE, "..", "tests", "corpus", "身份证 正面 (1).jpg")
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "examples")
FONT_DIR = "/usr/share/fonts/opentype/noto"
SANS = os.path.join(FONT_DIR, "NotoSansCJK-Regular.ttc")
BOLD = os.path.join(FONT_DIR, "NotoSansCJK-Bold.ttc")
SERIF = os.path.join(FONT_DIR, "NotoSerifCJK-Bold.ttc")

# Card rectangles (left, top, right, bottom) inside the 600×716 template.
FRONT_BOX = (69, 48, 517, 333)
BACK_BOX = (67, 391, 517, 677)
SCALE = 2  # cards come out about 900×570, close to a 300 dpi scan

LABEL = (60, 110, 170)
INK = (20, 20, 20)

# Invented person; the ID number's check character is computed below.
PERSON = {
    "name": "张三",
    "sex": "男",
    "nation": "汉",
    "birth": (1990, 3, 7),
    "address": ["北京市东城区景山前街", "4号院2号楼301室"],
    "id17": "11010119900307451",
    "authority": "北京市公安局东城分局",
    "valid": "2015.03.07-2035.03.07",
}


def id_check(id17):
    """GB 11643 check character of the first 17 digits."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    s = sum(int(c) * w for c, w in zip(id17, weights))
    return "10X98765432"[s % 11]


def font(path, px):
    return ImageFont.truetype(path, int(px * SCALE))


def card(box):
    tpl = Image.open(TEMPLATE).convert("RGB")
    c = tpl.crop(box)
    return c.resize((c.width * SCALE, c.height * SCALE), Image.LANCZOS)


def front():
    img = card(FRONT_BOX)
    d = ImageDraw.Draw(img)
    s = SCALE
    lab, val = font(SANS, 13), font(BOLD, 15)
    x0, xv = 30 * s, 70 * s
    y, b = 35 * s, PERSON["birth"]
    d.text((x0, y), "姓名", font=lab, fill=LABEL)
    d.text((xv, y - 2 * s), PERSON["name"], font=val, fill=INK)
    y += 36 * s
    d.text((x0, y), "性别", font=lab, fill=LABEL)
    d.text((xv, y - 1 * s), PERSON["sex"], font=val, fill=INK)
    d.text((130 * s, y), "民族", font=lab, fill=LABEL)
    d.text((170 * s, y - 1 * s), PERSON["nation"], font=val, fill=INK)
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
    for line in PERSON["address"]:
        d.text((xv, y - 1 * s), line, font=val, fill=INK)
        y += 24 * s
    number = PERSON["id17"] + id_check(PERSON["id17"])
    y = 235 * s
    d.text((x0, y), "公民身份号码", font=lab, fill=LABEL)
    d.text((130 * s, y - 3 * s), number, font=font(BOLD, 18), fill=INK)
    # Portrait placeholder: a grey silhouette.
    px0, py0, px1, py1 = 300 * s, 40 * s, 420 * s, 200 * s
    d.rectangle((px0, py0, px1, py1), fill=(226, 230, 236))
    cx = (px0 + px1) // 2
    d.ellipse((cx - 32 * s, py0 + 30 * s, cx + 32 * s, py0 + 105 * s), fill=(150, 155, 165))
    d.pieslice((cx - 58 * s, py0 + 110 * s, cx + 58 * s, py1 + 60 * s), 180, 360,
               fill=(150, 155, 165))
    return img.filter(ImageFilter.GaussianBlur(0.4)), number


def back():
    img = card(BACK_BOX)
    d = ImageDraw.Draw(img)
    s = SCALE
    # Emblem placeholder.
    d.ellipse((25 * s, 20 * s, 95 * s, 90 * s), outline=(200, 40, 40), width=3 * s)
    d.text((140 * s, 35 * s), "中华人民共和国", font=font(SERIF, 24), fill=INK)
    d.text((150 * s, 85 * s), "居民身份证", font=font(SERIF, 32), fill=INK)
    lab, val = font(SANS, 13), font(BOLD, 15)
    d.text((80 * s, 205 * s), "签发机关", font=lab, fill=LABEL)
    d.text((150 * s, 203 * s), PERSON["authority"], font=val, fill=INK)
    d.text((80 * s, 240 * s), "有效期限", font=lab, fill=LABEL)
    d.text((150 * s, 238 * s), PERSON["valid"], font=val, fill=INK)
    return img.filter(ImageFilter.GaussianBlur(0.4))


def photo(img, deg=-8.0):
    """The card lying on a dark desk, turned by `deg` degrees."""
    pad = 80
    bg = Image.new("RGB", (img.width + 2 * pad, img.height + 2 * pad), (62, 58, 54))
    bg.paste(img, (pad, pad))
    return bg.rotate(deg, resample=Image.BICUBIC, expand=True, fillcolor=(62, 58, 54))


def main():
    os.makedirs(OUT, exist_ok=True)
    f, number = front()
    assert len(number) == 18
    f.save(os.path.join(OUT, "id-card-front.jpg"), quality=90)
    back().save(os.path.join(OUT, "id-card-back.jpg"), quality=90)
    photo(f).save(os.path.join(OUT, "id-card-front-skewed.jpg"), quality=88)
    print("wrote specimens to", os.path.abspath(OUT), "ID number", number)


if __name__ == "__main__":
    main()
