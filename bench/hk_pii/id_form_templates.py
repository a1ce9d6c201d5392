"""Sentences for the identifier-forms set (bench/make_id_forms.py).

`SENTENCES[type][lang]`: sentences with one `{v}` slot for the identifier, in English
(en), Traditional Chinese (zh-Hant) and Cantonese (yue): forms, letters, case notes and
chat. Labels vary (HKID, ID no., 身份證, 身分證, 香港身份證號碼, 電話, 手提, WhatsApp, ...) and
some sentences have none, as people write. `LOOKALIKES[lang]`: sentences with no personal
data whose numbers look like identifiers (case references, court actions, amounts, dates,
order and reference numbers); `{hkid_shape}` and the like are filled with random values
that are sometimes even valid check-digit-wise.
"""

from __future__ import annotations

SENTENCES: dict[str, dict[str, list[str]]] = {
    "HKID": {
        "en": [
            "Applicant's HKID: {v}",
            "Please quote your ID no. {v} in all correspondence.",
            "HK Identity Card No.: {v}\nDate of application: 3 May 2024",
            "The holder of identity card {v} has applied for a replacement card.",
            "Name: CHAN Tai-man  Sex: M  HKID {v}  Tel: see below",
            "The complainant, whose number is {v}, asked us to keep the matter confidential.",
        ],
        "zh-Hant": [
            "申請人身份證號碼：{v}",
            "香港身份證號碼 {v}，請核對。",
            "身分證號碼：{v}\n申請日期：二〇二四年五月三日",
            "投訴人（身份證{v}）要求保密。",
            "持證人{v}已申請補領身份證。",
        ],
        "yue": [
            "我個身份證係{v}，你哋查下啦。",
            "佢身分證號碼係 {v} 喎",
            "HKID {v}，麻煩幫我登記",
            "身份證號碼：{v}，聽日嚟拎",
        ],
    },
    "PHONE": {
        "en": [
            "Please call me on {v} after 6 pm.",
            "Tel: {v}\nEmail: see attached",
            "Contact number {v} (mobile)",
            "You can WhatsApp me at {v}.",
            "The caller left a number, {v}, and asked for a call back.",
        ],
        "zh-Hant": [
            "聯絡電話：{v}",
            "請致電{v}與本署職員聯絡。",
            "手提電話 {v}（日間）",
            "如有查詢，請WhatsApp {v}。",
        ],
        "yue": [
            "打俾我 {v} 啦，我成日都喺度",
            "我手機係{v}，有嘢搵我",
            "有咩事 call 我 {v}",
            "電話{v}，夜晚先搵到我",
        ],
    },
    "EMAIL": {
        "en": [
            "Please reply to {v}.",
            "Email: {v}\nTel: see above",
            "Send the documents to {v} before Friday.",
        ],
        "zh-Hant": [
            "電郵地址：{v}",
            "請將文件電郵至{v}。",
            "聯絡電郵 {v}（辦公時間）",
        ],
        "yue": [
            "你 send 去 {v} 啦",
            "我 email 係{v}，唔該",
            "有咩寄去{v}就得",
        ],
    },
    "PASSPORT": {
        "en": [
            "Passport No.: {v}",
            "The helper's passport number is {v}.",
            "Travel document {v} was presented at the counter.",
        ],
        "zh-Hant": [
            "護照號碼：{v}",
            "旅行證件號碼 {v}，有效期至二〇三〇年。",
            "申請人持護照{v}入境。",
        ],
        "yue": [
            "佢本護照號碼係{v}",
            "我 passport 係 {v}，幫我 check 下",
            "護照 {v} 過咗期喎",
        ],
    },
    "ID_CN": {
        "en": [
            "Mainland resident ID: {v}",
            "ID card number {v} (PRC)",
            "Her resident identity card, {v}, was photocopied.",
        ],
        "zh-Hant": [
            "內地居民身份證號碼：{v}",
            "身份證號碼 {v}（內地）",
            "申請人居民身份證{v}已核實。",
        ],
        "yue": [
            "佢大陸身份證係{v}",
            "我內地身分證號碼 {v}，你睇下",
            "身份證：{v}，深圳簽發",
        ],
    },
    "BR_NUMBER": {
        "en": [
            "Business Registration No.: {v}",
            "The company (BR No. {v}) was registered in 2019.",
            "BRN {v}",
        ],
        "zh-Hant": [
            "商業登記號碼：{v}",
            "公司商業登記證號碼 {v}。",
            "（商業登記 {v}）",
        ],
        "yue": [
            "間公司 BR 號碼係 {v}",
            "佢個商業登記係{v}",
            "BR {v} 嗰間舖頭執咗",
        ],
    },
    "BANK_ACCOUNT": {
        "en": [
            "Please pay into HSBC account {v}.",
            "Bank account no.: {v}",
            "The refund was credited to account {v}.",
        ],
        "zh-Hant": [
            "滙豐銀行戶口號碼：{v}",
            "請將款項存入恒生銀行賬戶{v}。",
            "退款已轉賬至戶口 {v}。",
        ],
        "yue": [
            "入數去我中銀戶口 {v} 啦",
            "我滙豐戶口係{v}",
            "過數俾 {v} 就得",
        ],
    },
    "CREDIT_CARD": {
        "en": [
            "Card number: {v}",
            "I paid with my Visa card {v}.",
            "The charge on {v} was made twice.",
        ],
        "zh-Hant": [
            "信用卡號碼：{v}",
            "本人以信用卡{v}付款。",
            "卡號 {v} 已被盜用。",
        ],
        "yue": [
            "我張信用卡 {v} 俾人碌咗兩次",
            "卡號係{v}，你幫我 cancel",
            "用 {v} 嗰張卡俾錢",
        ],
    },
    "IP_ADDRESS": {
        "en": [
            "The post was made from IP address {v}.",
            "Server {v} stopped responding at 3 am.",
            "Login from {v} was blocked.",
        ],
        "zh-Hant": [
            "IP地址：{v}",
            "有關帖文由IP {v} 發出。",
            "伺服器{v}於凌晨三時停止回應。",
        ],
        "yue": [
            "個 IP 係 {v}，你查下",
            "佢由 {v} 登入",
            "部伺服器 {v} 死咗",
        ],
    },
}

# Look-alikes: no personal data. Slots: {hkid_shape} (letters, six digits, a check
# character: sometimes valid), {case_year}, {n4}, {n6}, {n8}, {amount}, {date}.
LOOKALIKES: dict[str, list[str]] = {
    "en": [
        "See CR {hkid_shape}/{case_year} for the decision.",
        "The appeal HCA {n4}/{case_year} was heard on {date}.",
        "Judgment in DCCJ {n4}/{case_year} and HCMP {n4}/{case_year} is reserved.",
        "Case No. {hkid_shape} was closed.",
        "Order no. {hkid_shape} has been shipped.",
        "Ref: {hkid_shape}",
        "Model no. {hkid_shape} is out of stock.",
        "The total was HK${amount} ({n6} items).",
        "Amount payable: HKD {amount}",
        "Invoice {n8} dated {date}",
        "Order number {n2} {n2} {n2} {n2}",
        "Scores: {n2} {n2} {n2} {n2} (out of 100)",
        "The meeting is on {date}; the budget for {case_year}-{next_year} is HK${amount}.",
        "Tracking number SF {n4} {n4} {n4}",
        "File ref. HAD/{case_year}/{n8}",
        "Please refer to LC Paper No. CB(2){n4}/{case_year}(01).",
        "Section {n1}.{n1}.{n1}.{n1} of the guidelines applies.",
        "Meeting in Room {n4} at {n1} pm.",
    ],
    "zh-Hant": [
        "見案件編號 CR {hkid_shape}/{case_year}。",
        "高院民事訴訟 HCA {n4}/{case_year} 已於{date}審結。",
        "訂單編號：{hkid_shape}",
        "產品型號{hkid_shape}暫時缺貨。",
        "參考編號 {hkid_shape}",
        "總額港幣{amount}元，共{n6}件。",
        "發票號碼 {n8}，日期{date}。",
        "檔號 HAD/{case_year}/{n8}",
        "個案編號：{n2} {n2} {n2} {n2}",
        "會議定於{date}舉行，{case_year}-{next_year}年度預算為港幣{amount}元。",
        "收據編號 {n4}-{n4}",
        "第{n8}號通告",
    ],
    "yue": [
        "你睇下 CR {hkid_shape}/{case_year} 嗰單案",
        "張單號碼係 {hkid_shape}，聽日送到",
        "部機型號 {hkid_shape} 冇貨喎",
        "今個月使咗 HK${amount}，仲有 {n6} 分",
        "訂單 {n8} 寄咗未",
        "{date} 開會，記得帶 {case_year} 年份報告",
        "個案編號 {n4} {n4}，你跟下",
        "Ref {hkid_shape} 嗰份文件搵唔到",
    ],
}
