# ruff: noqa: E501  (data: one template or word list entry per line)
"""Word lists for the Hong Kong PII benchmark set (see bench/make_hk_pii.py for how they are used).

Written by hand for this benchmark. Names are common Hong Kong / mainland / expatriate
surnames and given names put together at random, so any resemblance to a real person is a
coincidence of common names. Streets, estates, districts and villages are real public place
names; buildings, house (block) names and every number are made up.
"""

from __future__ import annotations

# Romanised (HK government / Jyutping-ish) surname, Traditional Chinese surname.
SURNAMES: list[tuple[str, str]] = [
    ("Chan", "陳"), ("Wong", "黃"), ("Wong", "王"), ("Lee", "李"), ("Cheung", "張"),
    ("Lau", "劉"), ("Ng", "吳"), ("Ng", "伍"), ("Ho", "何"), ("Leung", "梁"), ("Lam", "林"),
    ("Tsang", "曾"), ("Yip", "葉"), ("Chow", "周"), ("Tse", "謝"), ("Kwok", "郭"),
    ("Lo", "盧"), ("Law", "羅"), ("Mak", "麥"), ("Tang", "鄧"), ("Fung", "馮"), ("Choi", "蔡"),
    ("Yeung", "楊"), ("Kwan", "關"), ("Poon", "潘"), ("Siu", "蕭"), ("So", "蘇"), ("Tam", "譚"),
    ("Cheng", "鄭"), ("Chu", "朱"), ("Hui", "許"), ("Fong", "方"), ("Tsui", "徐"),
    ("Yuen", "袁"), ("Mok", "莫"), ("Chiu", "趙"), ("Lai", "黎"), ("Chung", "鍾"), ("Ma", "馬"),
    ("Kong", "江"), ("Ko", "高"), ("Luk", "陸"), ("Wan", "溫"), ("Sham", "岑"), ("Kam", "甘"),
    ("Tong", "湯"), ("Au", "區"), ("Pong", "龐"), ("Kwong", "鄺"), ("Yau", "邱"), ("Shek", "石"),
    ("Au-Yeung", "歐陽"), ("Szeto", "司徒"), ("Sheung-Kwun", "上官"), ("Chu-Kot", "諸葛"),
]  # fmt: skip

# Romanised given name (hyphenated, as on an HKID card) and its Chinese characters.
GIVEN: list[tuple[str, str]] = [
    ("Tai-man", "大文"), ("Siu-ming", "小明"), ("Mei-ling", "美玲"), ("Ka-yan", "嘉欣"),
    ("Chi-keung", "志強"), ("Ka-ho", "家豪"), ("Wing-kei", "詠琪"), ("Wai-man", "偉文"),
    ("Suk-fan", "淑芬"), ("Yuk-lan", "玉蘭"), ("Chun-kit", "俊傑"), ("Hiu-tung", "曉彤"),
    ("Lok-yi", "樂怡"), ("Tsz-ching", "梓晴"), ("Ho-yin", "浩賢"), ("Tsz-kin", "子健"),
    ("Kwok-wing", "國榮"), ("Pui-shan", "佩珊"), ("Hoi-yan", "凱欣"), ("Man-kit", "文傑"),
    ("Sau-ying", "秀英"), ("Lai-wah", "麗華"), ("Wai-man", "慧敏"), ("Ka-chun", "嘉俊"),
    ("Cheuk-him", "卓謙"), ("Wing-yan", "穎欣"), ("Kin-wah", "建華"), ("Kam-wah", "錦華"),
    ("Mei-wah", "美華"), ("Siu-fan", "少芬"), ("Yuet-ngor", "月娥"), ("Chi-ming", "志明"),
    ("Ka-lok", "家樂"), ("Ching-yee", "靜儀"), ("Yuen-ting", "婉婷"), ("Tin-yau", "天佑"),
    ("Chun-pong", "振邦"), ("Kin", "健"), ("Man", "敏"), ("Ting", "婷"), ("Wai", "偉"),
    ("Sze-wing", "詩穎"), ("Pak-hei", "柏熙"), ("Yat-long", "逸朗"), ("Hoi-lam", "凱琳"),
]  # fmt: skip

ENGLISH_FIRST: list[str] = [
    "Peter", "Mary", "Kenneth", "Winnie", "Ivan", "Gloria", "Kelvin", "Cecilia", "Alvin",
    "Joyce", "Raymond", "Vivian", "Jason", "Karen", "Eric", "Stephanie", "Anthony", "Queenie",
    "Ricky", "Heidi", "Samuel", "Fanny", "Wilson", "Bonnie", "Terence", "Iris", "Dickson",
    "Phoebe", "Calvin", "Yvonne", "Hinson", "Crystal", "Jacky", "Connie", "Edmund", "Tiffany",
]  # fmt: skip

# Residents, helpers and expatriates whose names are not Chinese.
WESTERN_NAMES: list[str] = [
    "Oliver Bennett", "Priya Sharma", "Maria Cristina Santos", "Rajesh Gurung",
    "Amir Hussain", "James O'Brien", "Sophie Hartley", "Daniel Fischer", "Analyn Dela Cruz",
    "Siti Aminah", "Dewi Kusuma", "Rosalie Mendoza", "Harpreet Singh", "Fatima Khan",
    "Thomas Whitfield", "Claire Dubois", "Mohammed Rafiq", "Jennifer Reyes", "Bikash Rai",
    "Emily Carter", "Lucas Moreau", "Nurul Hidayah", "Ramon Villanueva", "Sarah McKenzie",
]  # fmt: skip
WESTERN_SURNAMES: list[str] = [n.split()[-1] for n in WESTERN_NAMES]

GIVEN_ZH_ONLY: list[str] = ["嘉琪", "志偉", "雅詩", "振華", "頌恩", "曉晴", "浩然", "思敏"]

# Mainland (Simplified) surnames and given names.
SURNAMES_ZHS: list[str] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "曾", "萧", "田", "董", "潘", "袁", "蔡", "蒋", "叶", "程", "魏", "苏", "吕", "卢",
    "钟", "谭", "陆", "欧阳", "司马",
]  # fmt: skip
GIVEN_ZHS: list[str] = [
    "伟", "芳", "娜", "敏", "静", "秀英", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "建华", "志刚", "晓东", "思远", "子涵", "浩然", "雨萱",
    "欣怡", "梓轩", "一鸣", "佳琪", "海燕", "国强", "丽娟",
]  # fmt: skip

# Districts: English, Chinese, region (0 Hong Kong Island, 1 Kowloon, 2 New Territories).
DISTRICTS: list[tuple[str, str, int]] = [
    ("Sham Shui Po", "深水埗", 1), ("Kwun Tong", "觀塘", 1), ("Wong Tai Sin", "黃大仙", 1),
    ("Mong Kok", "旺角", 1), ("Yau Ma Tei", "油麻地", 1), ("Kowloon City", "九龍城", 1),
    ("To Kwa Wan", "土瓜灣", 1), ("Sau Mau Ping", "秀茂坪", 1), ("Hung Hom", "紅磡", 1),
    ("Wan Chai", "灣仔", 0), ("Central", "中環", 0), ("North Point", "北角", 0),
    ("Quarry Bay", "鰂魚涌", 0), ("Shau Kei Wan", "筲箕灣", 0), ("Aberdeen", "香港仔", 0),
    ("Sha Tin", "沙田", 2), ("Tai Po", "大埔", 2), ("Tuen Mun", "屯門", 2),
    ("Yuen Long", "元朗", 2), ("Tin Shui Wai", "天水圍", 2), ("Tsuen Wan", "荃灣", 2),
    ("Kwai Chung", "葵涌", 2), ("Tsing Yi", "青衣", 2), ("Tseung Kwan O", "將軍澳", 2),
    ("Sheung Shui", "上水", 2), ("Fanling", "粉嶺", 2), ("Tung Chung", "東涌", 2),
    ("Ma On Shan", "馬鞍山", 2),
]  # fmt: skip
DISTRICTS_ZHS: list[str] = [
    "旺角", "尖沙咀", "铜锣湾", "中环", "湾仔", "观塘", "沙田", "上水", "荃湾", "油麻地",
]  # fmt: skip
REGIONS_EN = ["Hong Kong", "Kowloon", "New Territories"]
REGIONS_EN_SHORT = ["H.K.", "Kln.", "N.T."]
REGIONS_ZH = ["香港", "九龍", "新界"]

# Streets: English, Chinese, district index into DISTRICTS.
STREETS: list[tuple[str, str, int]] = [
    ("Nathan Road", "彌敦道", 3), ("Hennessy Road", "軒尼詩道", 9), ("King's Road", "英皇道", 11),
    ("Des Voeux Road Central", "德輔道中", 10), ("Queen's Road East", "皇后大道東", 9),
    ("Castle Peak Road", "青山公路", 20), ("Lai Chi Kok Road", "荔枝角道", 0),
    ("Apliu Street", "鴨寮街", 0), ("Hip Wo Street", "協和街", 1), ("Ngau Tau Kok Road", "牛頭角道", 1),
    ("Shau Kei Wan Road", "筲箕灣道", 13), ("Sha Tsui Road", "沙咀道", 20),
    ("Un Chau Street", "元州街", 0), ("Fa Yuen Street", "花園街", 3), ("Tung Choi Street", "通菜街", 3),
    ("Electric Road", "電氣道", 11), ("Java Road", "渣華道", 11), ("Chatham Road South", "漆咸道南", 8),
    ("Prince Edward Road West", "太子道西", 5), ("To Kwa Wan Road", "土瓜灣道", 6),
    ("Pei Ho Street", "北河街", 0), ("Yee Kuk Street", "醫局街", 0), ("Kwong Fuk Road", "廣福道", 16),
    ("San Hong Street", "新康街", 24), ("Jordan Road", "佐敦道", 4), ("Argyle Street", "亞皆老街", 3),
    ("Chun Yeung Street", "春秧街", 11), ("Johnston Road", "莊士敦道", 9), ("Kwun Tong Road", "觀塘道", 1),
    ("Shek Pai Wan Road", "石排灣道", 14), ("Tsuen King Circuit", "荃景圍", 20),
    ("Kwai Chung Road", "葵涌道", 21), ("Tai Tong Road", "大棠路", 18), ("Castle Peak Road - Yuen Long", "青山公路元朗段", 18),
    ("Wo Yi Hop Road", "和宜合道", 21), ("Po Kong Village Road", "蒲崗村道", 2),
]  # fmt: skip

# Public housing estates: English, Chinese, district index.
ESTATES: list[tuple[str, str, int]] = [
    ("Po Tat Estate", "寶達邨", 7), ("Choi Hung Estate", "彩虹邨", 2),
    ("Shek Kip Mei Estate", "石硤尾邨", 0), ("Lei Tung Estate", "利東邨", 14),
    ("Tin Heng Estate", "天恒邨", 19), ("Shui Pin Wai Estate", "水邊圍邨", 18),
    ("Cheung Hong Estate", "長康邨", 22), ("Lai Yiu Estate", "麗瑤邨", 21),
    ("Sau Mau Ping Estate", "秀茂坪邨", 7), ("Kwong Yuen Estate", "廣源邨", 15),
    ("Wo Che Estate", "禾輋邨", 15), ("Tai Hing Estate", "大興邨", 17),
    ("Fu Heng Estate", "富亨邨", 16), ("Choi Wan Estate", "彩雲邨", 2),
    ("Shek Wai Kok Estate", "石圍角邨", 20), ("Wah Fu Estate", "華富邨", 14),
    ("Yiu Tung Estate", "耀東邨", 13), ("Tung Tau Estate", "東頭邨", 2),
    ("Lok Fu Estate", "樂富邨", 2), ("Cheung Sha Wan Estate", "長沙灣邨", 0),
]  # fmt: skip
HOUSES: list[tuple[str, str]] = [
    ("Wah Lok House", "華樂樓"), ("On Tai House", "安泰樓"), ("Fu Hong House", "富康樓"),
    ("Ming Tak House", "明德樓"), ("Hong Shing House", "康盛樓"), ("Kam Fai House", "金輝樓"),
    ("Tat Yan House", "達欣樓"), ("Yan Chi House", "欣智樓"), ("Hei Yat House", "喜逸樓"),
    ("Wing Hong House", "榮康樓"), ("Shun On House", "順安樓"), ("Ping Yin House", "平賢樓"),
]  # fmt: skip

# Private estates with numbered blocks: English, Chinese, district index.
PRIVATE_ESTATES: list[tuple[str, str, int]] = [
    ("Taikoo Shing", "太古城", 12), ("Mei Foo Sun Chuen", "美孚新邨", 0),
    ("City One Shatin", "沙田第一城", 15), ("Whampoa Garden", "黃埔花園", 8),
    ("Heng Fa Chuen", "杏花邨", 13), ("Laguna City", "麗港城", 1),
    ("Kingswood Villas", "嘉湖山莊", 19), ("Kornhill Gardens", "康怡花園", 12),
    ("South Horizons", "海怡半島", 14), ("Telford Gardens", "德福花園", 1),
    ("Belvedere Garden", "麗城花園", 20), ("Sunshine City", "新港城", 27),
]  # fmt: skip

# Made-up private buildings (walk-ups and towers).
BUILDINGS: list[tuple[str, str]] = [
    ("Wing Fat Building", "永發大廈"), ("Cheung Hing Building", "祥興大廈"),
    ("Wah Fung Building", "華豐大廈"), ("Fu Loi Building", "富來大廈"),
    ("Kam Fai Court", "金輝閣"), ("Hoi King Mansion", "海景樓"),
    ("Pak Lee Building", "百利大廈"), ("Yee On Court", "怡安閣"),
    ("Ka Po Building", "嘉寶大廈"), ("Tak Shing Mansion", "德成大廈"),
    ("Sun Wah Court", "新華閣"), ("Kwong On Building", "廣安大廈"),
]  # fmt: skip

# Villages in the New Territories: English, Chinese, district (English, Chinese).
VILLAGES: list[tuple[str, str, str, str]] = [
    ("Lam Tsuen", "林村", "Tai Po", "大埔"), ("Ha Tsuen", "厦村", "Yuen Long", "元朗"),
    ("Kam Tin", "錦田", "Yuen Long", "元朗"), ("Tai Po Tsai", "大埔仔", "Sai Kung", "西貢"),
    ("Ping Che", "坪輋", "Ta Kwu Ling", "打鼓嶺"), ("Mui Wo", "梅窩", "Lantau Island", "大嶼山"),
    ("Pat Heung", "八鄉", "Yuen Long", "元朗"), ("Ta Ku Ling", "打鼓嶺", "North District", "北區"),
]  # fmt: skip

# Mainland addresses (Simplified): province+city+district, road.
CN_PLACES: list[tuple[str, str]] = [
    ("广东省深圳市福田区", "福华三路"), ("广东省广州市天河区", "天河路"),
    ("上海市浦东新区", "世纪大道"), ("北京市朝阳区", "建国路"), ("广东省东莞市南城区", "鸿福路"),
    ("福建省厦门市思明区", "湖滨南路"), ("湖南省长沙市岳麓区", "麓山南路"),
    ("广东省佛山市禅城区", "季华五路"), ("浙江省杭州市西湖区", "文三路"),
]  # fmt: skip
CN_COMPOUNDS = ["阳光花园", "碧桂园", "华润城", "幸福家园", "锦绣江南", "东方明珠小区"]

# Mainland ID card region codes (first six digits), real administrative divisions.
CN_REGION_CODES = [
    "440301", "440304", "440305", "440104", "440106", "310115", "310104", "110105", "110108",
    "441900", "350203", "430104", "440604", "330106", "445102", "440582", "450103", "510107",
]  # fmt: skip

DEPTS_EN = [
    "Housing Department", "Social Welfare Department", "Food and Environmental Hygiene Department",
    "Lands Department", "Home Affairs Department", "Buildings Department", "Transport Department",
    "Immigration Department", "Hong Kong Police Force", "Inland Revenue Department",
    "Water Supplies Department", "Labour Department", "Highways Department",
    "Environmental Protection Department", "Leisure and Cultural Services Department",
    "Department of Health", "Digital Policy Office", "Consumer Council",
]  # fmt: skip
DEPTS_ZH = [
    "房屋署", "社會福利署", "食物環境衞生署", "地政總署", "民政事務總署", "屋宇署", "運輸署",
    "入境事務處", "香港警務處", "稅務局", "水務署", "勞工處", "路政署", "環境保護署",
    "康樂及文化事務署", "衞生署", "數字政策辦公室", "消費者委員會", "醫院管理局",
]  # fmt: skip
DEPTS_ZHS = ["入境事务处", "香港警务处", "消费者委员会", "香港旅游发展局", "海关", "卫生署"]

# Department file reference prefixes (made up in the usual style).
CASEREF_PREFIXES = [
    "HAD/C", "HD(C)/COM", "SWD/FCW", "FEHD/CS", "BD/UMB", "LD/DLO/TP", "TD/C/KLN", "WSD/CE",
]  # fmt: skip
