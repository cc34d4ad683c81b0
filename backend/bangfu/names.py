"""Deterministic realistic Chinese names for generated demo data (the real households are not public)."""

from __future__ import annotations

import random

SURNAMES = ("王李张刘陈杨赵孙周吴徐郭马胡于高林宋曲姜梁谢韩唐冯董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
            "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺"
            "赖龚文初衣隋滕纪")
MALE = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
FEMALE = "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
VILLAGE_A = "东西南北前后上下大小新老高王李张刘孙赵于姜曲宋林柳杨梁马朱程郭夏徐崔董"
VILLAGE_B = ("家庄", "家村", "家疃", "格庄", "庄子", "家洼", "家沟", "里", "店", "屯", "山后", "河崖", "家泊",
             "官庄", "家集", "王庄", "刘庄", "杨庄", "宋庄", "吕村")


def person_name(rng: random.Random, sex: str) -> str:
    pool = MALE if sex == "01" else FEMALE
    given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.75 else "")
    return rng.choice(SURNAMES) + given


def village_name(rng: random.Random, taken: set[str]) -> str:
    for _ in range(200):
        name = rng.choice(VILLAGE_A) + rng.choice(VILLAGE_B) + "村"
        if name not in taken:
            taken.add(name)
            return name
    name = f"{rng.choice(VILLAGE_A)}{len(taken)}村"
    taken.add(name)
    return name


MOBILE_PREFIXES = ("134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182",
                   "183", "187", "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "180",
                   "181", "189", "177", "176")


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
