"""Deterministic synthetic demo CSV files in the govpulse data contract format."""

from __future__ import annotations

import bisect
import calendar
import csv
import datetime as dt
import hashlib
import itertools
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import holidays
import numpy as np

CONTRACT: dict[str, Any] = json.loads((Path(__file__).parent / "ingest" / "contract.json").read_text(encoding="utf-8"))
KINDS = ("territories", "accounts", "followers", "posts", "inquiries")
HEADERS: dict[str, list[str]] = {k: [f["name"] for f in CONTRACT["kinds"][k]["fields"]] for k in KINDS}

_EPOCH = dt.date(1970, 1, 1)
_DAY = 86_400


class Story(NamedTuple):
    """A story line of the demo: the accounts that show it, when it happens and what to look for."""

    accounts: tuple[tuple[str, str], ...]
    days_before_end: int
    description: str
    territory_code: str = ""


# code | name_ru | name_en | name_kk | timezone | population
_KZ_REGIONS = """
AKM|Акмолинская область|Akmola Region|Ақмола облысы|Asia/Almaty|785000
AKT|Актюбинская область|Aktobe Region|Ақтөбе облысы|Asia/Aqtobe|930000
ALM|Алматинская область|Almaty Region|Алматы облысы|Asia/Almaty|1530000
ATY|Атырауская область|Atyrau Region|Атырау облысы|Asia/Atyrau|700000
ZAP|Западно-Казахстанская область|West Kazakhstan Region|Батыс Қазақстан облысы|Asia/Oral|690000
ZHA|Жамбылская область|Zhambyl Region|Жамбыл облысы|Asia/Almaty|1220000
ZHT|область Жетісу|Jetisu Region|Жетісу облысы|Asia/Almaty|700000
KAR|Карагандинская область|Karaganda Region|Қарағанды облысы|Asia/Almaty|1135000
KUS|Костанайская область|Kostanay Region|Қостанай облысы|Asia/Qostanay|830000
KZY|Кызылординская область|Kyzylorda Region|Қызылорда облысы|Asia/Qyzylorda|830000
MAN|Мангистауская область|Mangystau Region|Маңғыстау облысы|Asia/Aqtau|790000
PAV|Павлодарская область|Pavlodar Region|Павлодар облысы|Asia/Almaty|750000
SEV|Северо-Казахстанская область|North Kazakhstan Region|Солтүстік Қазақстан облысы|Asia/Almaty|530000
YUZ|Туркестанская область|Turkistan Region|Түркістан облысы|Asia/Almaty|2130000
ULT|область Ұлытау|Ulytau Region|Ұлытау облысы|Asia/Almaty|220000
VOS|Восточно-Казахстанская область|East Kazakhstan Region|Шығыс Қазақстан облысы|Asia/Almaty|720000
ABY|область Абай|Abai Region|Абай облысы|Asia/Almaty|610000
AST|город Астана|Astana|Астана қаласы|Asia/Almaty|1420000
ALA|город Алматы|Almaty|Алматы қаласы|Asia/Almaty|2250000
SHY|город Шымкент|Shymkent|Шымкент қаласы|Asia/Almaty|1240000
"""

# Districts, cities of regional significance and city districts: name_ru | name_en | name_kk [| population]
_KZ_DISTRICTS = {
    "AKM": """
город Кокшетау|Kokshetau|Көкшетау қаласы|165000
город Степногорск|Stepnogorsk|Степногор қаласы|65000
Аккольский район|Akkol District|Ақкөл ауданы
Аршалынский район|Arshaly District|Аршалы ауданы
Астраханский район|Astrakhan District|Астрахан ауданы
Атбасарский район|Atbasar District|Атбасар ауданы
Бурабайский район|Burabay District|Бурабай ауданы
Ерейментауский район|Ereymentau District|Ерейментау ауданы
Есильский район|Esil District|Есіл ауданы
Зерендинский район|Zerendi District|Зеренді ауданы
Целиноградский район|Tselinograd District|Целиноград ауданы
Шортандинский район|Shortandy District|Шортанды ауданы
""",
    "AKT": """
город Актобе|Aktobe|Ақтөбе қаласы|560000
Алгинский район|Alga District|Алға ауданы
Айтекебийский район|Ayteke Bi District|Әйтеке би ауданы
Байганинский район|Bayganin District|Байғанин ауданы
Иргизский район|Irgiz District|Ырғыз ауданы
Каргалинский район|Kargaly District|Қарғалы ауданы
Мартукский район|Martuk District|Мәртөк ауданы
Мугалжарский район|Mugalzhar District|Мұғалжар ауданы
Темирский район|Temir District|Темір ауданы
Хобдинский район|Khobda District|Қобда ауданы
Хромтауский район|Khromtau District|Хромтау ауданы
Шалкарский район|Shalkar District|Шалқар ауданы
""",
    "ALM": """
город Конаев|Konaev|Қонаев қаласы|100000
Балхашский район|Balkhash District|Балқаш ауданы
Енбекшиказахский район|Enbekshikazakh District|Еңбекшіқазақ ауданы
Жамбылский район|Zhambyl District|Жамбыл ауданы
Илийский район|Ili District|Іле ауданы
Карасайский район|Karasay District|Қарасай ауданы
Кегенский район|Kegen District|Кеген ауданы
Райымбекский район|Raiymbek District|Райымбек ауданы
Талгарский район|Talgar District|Талғар ауданы
Уйгурский район|Uygur District|Ұйғыр ауданы
""",
    "ATY": """
город Атырау|Atyrau|Атырау қаласы|390000
Жылыойский район|Zhylyoi District|Жылыой ауданы
Индерский район|Inder District|Индер ауданы
Исатайский район|Isatay District|Исатай ауданы
Кзылкогинский район|Kyzylkoga District|Қызылқоға ауданы
Курмангазинский район|Kurmangazy District|Құрманғазы ауданы
Макатский район|Makat District|Мақат ауданы
Махамбетский район|Makhambet District|Махамбет ауданы
""",
    "ZAP": """
город Уральск|Oral|Орал қаласы|330000
Акжаикский район|Akzhaik District|Ақжайық ауданы
Бокейординский район|Bokey Orda District|Бөкей ордасы ауданы
Бурлинский район|Burlin District|Бөрлі ауданы
Жангалинский район|Zhangala District|Жаңақала ауданы
Жанибекский район|Zhanibek District|Жәнібек ауданы
район Байтерек|Bayterek District|Бәйтерек ауданы
Казталовский район|Kaztalov District|Қазталов ауданы
Каратобинский район|Karatobe District|Қаратөбе ауданы
Сырымский район|Syrym District|Сырым ауданы
Таскалинский район|Taskala District|Тасқала ауданы
Теректинский район|Terekti District|Теректі ауданы
Чингирлауский район|Chingirlau District|Шыңғырлау ауданы
""",
    "ZHA": """
город Тараз|Taraz|Тараз қаласы|430000
Байзакский район|Bayzak District|Байзақ ауданы
Жамбылский район|Zhambyl District|Жамбыл ауданы
Жуалынский район|Zhualy District|Жуалы ауданы
Кордайский район|Korday District|Қордай ауданы
район Турара Рыскулова|Turar Ryskulov District|Тұрар Рысқұлов ауданы
Меркенский район|Merke District|Меркі ауданы
Мойынкумский район|Moiynkum District|Мойынқұм ауданы
Сарысуский район|Sarysu District|Сарысу ауданы
Таласский район|Talas District|Талас ауданы
Шуский район|Shu District|Шу ауданы
""",
    "ZHT": """
город Талдыкорган|Taldykorgan|Талдықорған қаласы|180000
город Текели|Tekeli|Текелі қаласы|30000
Аксуский район|Aksu District|Ақсу ауданы
Алакольский район|Alakol District|Алакөл ауданы
Ескельдинский район|Eskeldi District|Ескелді ауданы
Каратальский район|Karatal District|Қаратал ауданы
Кербулакский район|Kerbulak District|Кербұлақ ауданы
Коксуский район|Koksu District|Көксу ауданы
Панфиловский район|Panfilov District|Панфилов ауданы
Саркандский район|Sarkand District|Сарқан ауданы
""",
    "KAR": """
город Караганда|Karaganda|Қарағанды қаласы|500000
город Темиртау|Temirtau|Теміртау қаласы|180000
город Балхаш|Balkhash|Балқаш қаласы|70000
город Сарань|Saran|Саран қаласы|50000
город Шахтинск|Shakhtinsk|Шахтинск қаласы|55000
Абайский район|Abay District|Абай ауданы
Актогайский район|Aktogay District|Ақтоғай ауданы
Бухар-Жырауский район|Bukhar-Zhyrau District|Бұқар жырау ауданы
Каркаралинский район|Karkaraly District|Қарқаралы ауданы
Нуринский район|Nura District|Нұра ауданы
Осакаровский район|Osakarovka District|Осакаров ауданы
Шетский район|Shet District|Шет ауданы
""",
    "KUS": """
город Костанай|Kostanay|Қостанай қаласы|260000
город Рудный|Rudny|Рудный қаласы|130000
Алтынсаринский район|Altynsarin District|Алтынсарин ауданы
Аулиекольский район|Auliekol District|Әулиекөл ауданы
Денисовский район|Denisov District|Денисов ауданы
Житикаринский район|Zhitikara District|Жітіқара ауданы
Камыстинский район|Kamysty District|Қамысты ауданы
Карабалыкский район|Karabalyk District|Қарабалық ауданы
Карасуский район|Karasu District|Қарасу ауданы
Костанайский район|Kostanay District|Қостанай ауданы
Мендыкаринский район|Mendykara District|Меңдіқара ауданы
Сарыкольский район|Sarykol District|Сарыкөл ауданы
Узункольский район|Uzunkol District|Ұзынкөл ауданы
Федоровский район|Fyodorov District|Федоров ауданы
""",
    "KZY": """
город Кызылорда|Kyzylorda|Қызылорда қаласы|330000
Аральский район|Aral District|Арал ауданы
Жалагашский район|Zhalagash District|Жалағаш ауданы
Жанакорганский район|Zhanakorgan District|Жаңақорған ауданы
Казалинский район|Kazaly District|Қазалы ауданы
Кармакшинский район|Karmakshy District|Қармақшы ауданы
Сырдарьинский район|Syrdarya District|Сырдария ауданы
Шиелийский район|Shieli District|Шиелі ауданы
""",
    "MAN": """
город Актау|Aktau|Ақтау қаласы|270000
город Жанаозен|Zhanaozen|Жаңаөзен қаласы|160000
Бейнеуский район|Beyneu District|Бейнеу ауданы
Каракиянский район|Karakiya District|Қарақия ауданы
Мангистауский район|Mangystau District|Маңғыстау ауданы
Мунайлинский район|Munaily District|Мұнайлы ауданы
Тупкараганский район|Tupkaragan District|Түпқараған ауданы
""",
    "PAV": """
город Павлодар|Pavlodar|Павлодар қаласы|370000
город Экибастуз|Ekibastuz|Екібастұз қаласы|150000
город Аксу|Aksu|Ақсу қаласы|70000
Актогайский район|Aktogay District|Ақтоғай ауданы
Баянаульский район|Bayanaul District|Баянауыл ауданы
Железинский район|Zhelezin District|Железин ауданы
Иртышский район|Irtysh District|Ертіс ауданы
Теренкольский район|Terenkol District|Тереңкөл ауданы
Аккулинский район|Akkuly District|Аққулы ауданы
Майский район|May District|Май ауданы
Павлодарский район|Pavlodar District|Павлодар ауданы
Успенский район|Uspen District|Успен ауданы
Щербактинский район|Sharbakty District|Шарбақты ауданы
""",
    "SEV": """
город Петропавловск|Petropavl|Петропавл қаласы|220000
Айыртауский район|Aiyrtau District|Айыртау ауданы
Акжарский район|Akzhar District|Ақжар ауданы
Аккайынский район|Akkayin District|Аққайың ауданы
Есильский район|Esil District|Есіл ауданы
Жамбылский район|Zhambyl District|Жамбыл ауданы
район Магжана Жумабаева|Magzhan Zhumabaev District|Мағжан Жұмабаев ауданы
Кызылжарский район|Kyzylzhar District|Қызылжар ауданы
Мамлютский район|Mamlyut District|Мамлют ауданы
район имени Габита Мусрепова|Gabit Musrepov District|Ғабит Мүсірепов атындағы аудан
Тайыншинский район|Tayynsha District|Тайынша ауданы
Тимирязевский район|Timiryazev District|Тимирязев ауданы
Уалихановский район|Ualikhanov District|Уәлиханов ауданы
район Шал акына|Shal Akyn District|Шал ақын ауданы
""",
    "YUZ": """
город Туркестан|Turkistan|Түркістан қаласы|230000
город Кентау|Kentau|Кентау қаласы|95000
Байдибекский район|Baydibek District|Бәйдібек ауданы
Жетысайский район|Zhetysay District|Жетісай ауданы
Казыгуртский район|Kazygurt District|Қазығұрт ауданы
Келесский район|Keles District|Келес ауданы
Мактааральский район|Maktaaral District|Мақтаарал ауданы
Ордабасинский район|Ordabasy District|Ордабасы ауданы
Отырарский район|Otyrar District|Отырар ауданы
Сайрамский район|Sayram District|Сайрам ауданы
Сарыагашский район|Saryagash District|Сарыағаш ауданы
Сузакский район|Sozak District|Созақ ауданы
Толебийский район|Tolebi District|Төле би ауданы
Тюлькубасский район|Tulkibas District|Түлкібас ауданы
Шардаринский район|Shardara District|Шардара ауданы
""",
    "ULT": """
город Жезказган|Zhezkazgan|Жезқазған қаласы|90000
город Сатпаев|Satpayev|Сәтбаев қаласы|70000
город Каражал|Karazhal|Қаражал қаласы|18000
Жанааркинский район|Zhanaarka District|Жаңаарқа ауданы|30000
Улытауский район|Ulytau District|Ұлытау ауданы|12000
""",
    "VOS": """
город Усть-Каменогорск|Oskemen|Өскемен қаласы|350000
город Риддер|Ridder|Риддер қаласы|55000
Алтайский район|Altai District|Алтай ауданы
Глубоковский район|Glubokoe District|Глубокое ауданы
Зайсанский район|Zaisan District|Зайсан ауданы
Катон-Карагайский район|Katonkaragay District|Катонқарағай ауданы
Курчумский район|Kurshim District|Күршім ауданы
Тарбагатайский район|Tarbagatay District|Тарбағатай ауданы
Уланский район|Ulan District|Ұлан ауданы
Шемонаихинский район|Shemonaikha District|Шемонаиха ауданы
""",
    "ABY": """
город Семей|Semey|Семей қаласы|350000
город Курчатов|Kurchatov|Курчатов қаласы|12000
Абайский район|Abai District|Абай ауданы
Аягозский район|Ayagoz District|Аягөз ауданы
Бескарагайский район|Beskaragay District|Бесқарағай ауданы
Бородулихинский район|Borodulikha District|Бородулиха ауданы
Жарминский район|Zharma District|Жарма ауданы
Кокпектинский район|Kokpekti District|Көкпекті ауданы
Урджарский район|Urzhar District|Үржар ауданы
""",
    "AST": """
Алматинский район|Almaty District|Алматы ауданы
Байконурский район|Baikonur District|Байқоңыр ауданы
Есильский район|Esil District|Есіл ауданы
Сарыаркинский район|Saryarka District|Сарыарқа ауданы
район Нура|Nura District|Нұра ауданы
""",
    "ALA": """
Алатауский район|Alatau District|Алатау ауданы
Алмалинский район|Almaly District|Алмалы ауданы
Ауэзовский район|Auezov District|Әуезов ауданы
Бостандыкский район|Bostandyk District|Бостандық ауданы
Жетысуский район|Zhetysu District|Жетісу ауданы
Медеуский район|Medeu District|Медеу ауданы
Наурызбайский район|Nauryzbay District|Наурызбай ауданы
Турксибский район|Turksib District|Түрксіб ауданы
""",
    "SHY": """
Абайский район|Abay District|Абай ауданы
Аль-Фарабийский район|Al-Farabi District|Әл-Фараби ауданы
Енбекшинский район|Enbekshi District|Еңбекші ауданы
Каратауский район|Karatau District|Қаратау ауданы
район Туран|Turan District|Тұран ауданы
""",
}

# Rural districts (auyl okrugs) are sampled for these districts; their names are synthetic but plausible.
_KZ_RURAL = {
    ("KUS", "Karasu District"): 8,
    ("KUS", "Kostanay District"): 7,
    ("KUS", "Auliekol District"): 6,
    ("AKM", "Zerendi District"): 7,
    ("AKM", "Tselinograd District"): 7,
    ("AKM", "Burabay District"): 6,
    ("YUZ", "Sayram District"): 7,
    ("YUZ", "Tolebi District"): 6,
    ("YUZ", "Kazygurt District"): 6,
}
_KZ_RURAL_ROOTS = """
Акжар|Ақжар|Akzhar
Жанаталап|Жаңаталап|Zhanatalap
Караагаш|Қараағаш|Karaagash
Коктерек|Көктерек|Kokterek
Талдыбулак|Талдыбұлақ|Taldybulak
Жалтыр|Жалтыр|Zhaltyr
Карабулак|Қарабұлақ|Karabulak
Жанаконыс|Жаңақоныс|Zhanakonys
Енбек|Еңбек|Enbek
Береке|Береке|Bereke
Достык|Достық|Dostyk
Бирлик|Бірлік|Birlik
Кайнар|Қайнар|Kainar
Тасбулак|Тасбұлақ|Tasbulak
Акбулак|Ақбұлақ|Akbulak
Кызылту|Қызылту|Kyzyltu
Шолаккорган|Шолаққорған|Sholakkorgan
Айдарлы|Айдарлы|Aidarly
Ынтымак|Ынтымақ|Yntymak
Коктобе|Көктөбе|Koktobe
Жетиген|Жетіген|Zhetigen
Каскабулак|Қасқабұлақ|Kaskabulak
Талапты|Талапты|Talapty
Жарсуат|Жарсуат|Zharsuat
Каратерек|Қаратерек|Karaterek
Косколь|Қоскөл|Koskol
Ащыбулак|Ащыбұлақ|Ashchybulak
Бозарык|Бозарық|Bozaryk
Карабастау|Қарабастау|Karabastau
Жибек жолы|Жібек жолы|Zhibek Zholy
Акжол|Ақжол|Akzhol
Самал|Самал|Samal
Нурлы|Нұрлы|Nurly
Шапагат|Шапағат|Shapagat
Кемер|Кемер|Kemer
Жанажол|Жаңажол|Zhanazhol
Акмешит|Ақмешіт|Akmeshit
Тогайлы|Тоғайлы|Togaily
Сарыбулак|Сарыбұлақ|Sarybulak
Кенжарык|Кенжарық|Kenzharyk
"""

# Altai Krai: city okrugs with populations, then the 59 municipal districts (okrugs).
_ALT_CITIES = """
город Барнаул|Barnaul|630000
город Бийск|Biysk|180000
город Рубцовск|Rubtsovsk|135000
город Новоалтайск|Novoaltaysk|72000
город Заринск|Zarinsk|45000
город Камень-на-Оби|Kamen-na-Obi|40000
город Славгород|Slavgorod|40000
город Алейск|Aleysk|27000
город Яровое|Yarovoye|17000
город Белокуриха|Belokurikha|15000
"""
_ALT_DISTRICTS = """
Алейский Баевский Бийский Благовещенский Бурлинский Быстроистокский Волчихинский Егорьевский Ельцовский
Завьяловский Залесовский Заринский Змеиногорский Зональный Калманский Каменский Ключевский Косихинский
Красногорский Краснощёковский Крутихинский Кулундинский Курьинский Кытмановский Локтевский Мамонтовский
Михайловский Немецкий_национальный Новичихинский Павловский Панкрушихинский Первомайский Петропавловский
Поспелихинский Ребрихинский Родинский Романовский Рубцовский Смоленский Советский Солонешенский Солтонский
Суетский Табунский Тальменский Тогульский Топчихинский Третьяковский Троицкий Тюменцевский Угловский
Усть-Калманский Усть-Пристанский Хабарский Целинный Чарышский Шелаболихинский Шипуновский Алтайский
"""
_ALT_SETTLEMENT_ROOTS = """
Берёзовский Зеленодольский Никольский Покровский Ивановский Сосновский Петровский Успенский Октябрьский
Александровский Вознесенский Знаменский Калиновский Кировский Новоалександровский Степной Луговской Озёрский
Краснопартизанский Новосёловский Ильинский Пригородный Рождественский Георгиевский Мирный Журавлихинский
Плотниковский Колыванский Сибирский Светлоозёрский Ракитовский Лебяжинский Николаевский Верх-Обский
Усть-Чарышский Камышенский Боровлянский Черемновский Белоярский Новокормихинский Прутской Зимарёвский
Тополинский Клочковский Семёновский Васильевский Фёдоровский Екатерининский Дмитриевский Новотроицкий
Малиновский Красноярский Беловский Гилёвский Кашинский Сорочелоговский Ярковский Повалихинский Шахинский
Бураковский Лесной Заречный Заводской Ключевской Речкуновский Новоярковский Урожайный Ровенский Комарский
Тягунский Сунгайский Новоеловский Соколовский Большеромановский Маралихинский Новообинский Корчинский
Шарчинский Грязновский Ветёловский Токаревский Кучукский Кипринский Гонохинский Сростинский Енисейский
Лесновский Ануйский Тулатинский Антоньевский Молодёжный Горновский Овечкинский Рассказихинский Боровихинский
Зудиловский Логовской Лебяжьевский Нижнечуманский Урывский Фунтиковский Шадринцевский Юдихинский
"""
_ALT_SETTLEMENTS = 639
_ALT_MARKED = 479
_TRAINING_DISTRICT = "Тальменский"

_GENITIVE_WORDS = {
    "район": "района",
    "область": "области",
    "город": "города",
    "сельсовет": "сельсовета",
    "поссовет": "поссовета",
    "округ": "округа",
    "край": "края",
    "Астана": "Астаны",
    "Шымкент": "Шымкента",
    "Конаев": "Конаева",
    "Уральск": "Уральска",
    "Тараз": "Тараза",
    "Талдыкорган": "Талдыкоргана",
    "Караганда": "Караганды",
    "Балхаш": "Балхаша",
    "Сарань": "Сарани",
    "Шахтинск": "Шахтинска",
    "Костанай": "Костаная",
    "Кызылорда": "Кызылорды",
    "Жанаозен": "Жанаозена",
    "Павлодар": "Павлодара",
    "Экибастуз": "Экибастуза",
    "Петропавловск": "Петропавловска",
    "Туркестан": "Туркестана",
    "Жезказган": "Жезказгана",
    "Сатпаев": "Сатпаева",
    "Каражал": "Каражала",
    "Усть-Каменогорск": "Усть-Каменогорска",
    "Риддер": "Риддера",
    "Семей": "Семея",
    "Курчатов": "Курчатова",
    "Степногорск": "Степногорска",
    "Барнаул": "Барнаула",
    "Бийск": "Бийска",
    "Рубцовск": "Рубцовска",
    "Новоалтайск": "Новоалтайска",
    "Заринск": "Заринска",
    "Камень-на-Оби": "Камня-на-Оби",
    "Славгород": "Славгорода",
    "Алейск": "Алейска",
    "Яровое": "Ярового",
    "Белокуриха": "Белокурихи",
}

# Handles use the common short forms of the long region names.
_SHORT_STEMS = {"West Kazakhstan Region": "zko", "North Kazakhstan Region": "sko", "East Kazakhstan Region": "vko"}

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i", "й": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip


def _genitive(name_ru: str) -> str:
    """Genitive case of a territory name, as in «Аким Карасуского района»."""
    out = []
    for word in name_ru.split(" "):
        if word in _GENITIVE_WORDS:
            out.append(_GENITIVE_WORDS[word])
        elif word.endswith(("ский", "цкий", "ской", "ный", "ной")):
            out.append(word[:-2] + "ого")
        elif word.endswith("ая"):
            out.append(word[:-2] + "ой")
        else:
            out.append(word)
    return " ".join(out)


def _translit(text: str) -> str:
    """Latin transliteration of a Russian word (the usual English spelling of place names)."""
    low = text.lower()
    for ending, latin in (("ский", "sky"), ("цкий", "tsky"), ("ской", "skoy"), ("ный", "ny"), ("ний", "ny")):
        if low.endswith(ending):
            low, tail = low[: -len(ending)], latin
            break
    else:
        tail = ""
    out = "".join(_TRANSLIT.get(ch, ch) for ch in low) + tail
    return "-".join(part[:1].upper() + part[1:] for part in out.split("-"))


def _stem(name_en: str) -> str:
    """Lower-case latin stem of a name, for handles."""
    if name_en in _SHORT_STEMS:
        return _SHORT_STEMS[name_en]
    for suffix in (" Rural District", " District", " Region", " selsovet", " possovet"):
        name_en = name_en.removesuffix(suffix)
    return "".join(ch if ch.isalnum() else "_" for ch in name_en.lower()).strip("_")


def _abbr(name_en: str, taken: set[str]) -> str:
    """A short code unique among its siblings: first letter and two later consonants (Karasu → KRS)."""
    letters = "".join(ch for ch in _stem(name_en).upper() if "A" <= ch <= "Z")
    consonants = [ch for ch in letters[1:] if ch not in "AEIOUY"]
    for pool in (consonants, list(letters[1:])):
        for a, b in itertools.combinations(pool, 2):
            code = letters[0] + a + b
            if code not in taken:
                taken.add(code)
                return code
    n = 1
    while f"{letters[:2]}{n}" in taken:
        n += 1
    taken.add(f"{letters[:2]}{n}")
    return f"{letters[:2]}{n}"


def _fixed_rng(key: str) -> np.random.Generator:
    """A generator seeded by a name: the registry is the same for every seed."""
    return np.random.default_rng(zlib.crc32(key.encode()))


@dataclass(frozen=True)
class Territory:
    """A row of territories.csv and what the generator needs to name pages after it."""

    code: str
    name_ru: str
    name_en: str
    name_kk: str
    level: str
    parent_code: str
    population: int
    timezone: str
    country: str
    urban: bool

    @property
    def genitive(self) -> str:
        """Name in the genitive case."""
        return _genitive(self.name_ru)

    @property
    def stem(self) -> str:
        """Latin stem for handles."""
        return _stem(self.name_en)


def _rows(block: str) -> list[list[str]]:
    """Non-empty lines of a data block split on |."""
    return [line.split("|") for line in block.strip().splitlines() if line.strip()]


def _split_population(total: int, n: int, key: str, first_share: float = 0.0) -> list[int]:
    """Split a population over n parts with uneven, fixed weights."""
    weights = _fixed_rng(key).lognormal(0.0, 0.45, n)
    if first_share and n > 1:
        weights[0] = weights[1:].sum() * first_share / (1 - first_share)
    return [max(int(round(total * w / weights.sum(), -2)), 300) for w in weights]


def _kz_territories() -> list[Territory]:
    """Kazakhstan: the country, regions and cities of republican significance, districts, rural districts."""
    out = [
        Territory("KZ", "Казахстан", "Kazakhstan", "Қазақстан", "country", "", 20_300_000, "Asia/Almaty", "KZ", False)
    ]
    rural_roots = _rows(_KZ_RURAL_ROOTS)
    for code, ru, en, kk, tz, pop in _rows(_KZ_REGIONS):
        region = Territory(f"KZ-{code}", ru, en, kk, "region", "KZ", int(pop), tz, "KZ", ru.startswith("город"))
        out.append(region)
        rows = _rows(_KZ_DISTRICTS[code])
        known = sum(int(r[3]) for r in rows if len(r) > 3)
        unknown = [r for r in rows if len(r) == 3]
        rest = _split_population(max(region.population - known, region.population // 5), len(unknown), code)
        pops = iter(rest)
        taken: set[str] = set()
        for row in rows:
            d_ru, d_en, d_kk = row[:3]
            d_pop = int(row[3]) if len(row) > 3 else next(pops)
            d_code = f"{region.code}-{_abbr(d_en, taken)}"
            urban = region.urban or d_ru.startswith("город")
            district = Territory(d_code, d_ru, d_en, d_kk, "district", region.code, d_pop, tz, "KZ", urban)
            out.append(district)
            n_rural = _KZ_RURAL.get((code, d_en), 0)
            if not n_rural:
                continue
            picks = _fixed_rng(d_code).choice(len(rural_roots), n_rural, replace=False)
            pops_r = _split_population(int(d_pop * 0.8), n_rural, d_code + "/rural")
            for i, (pick, r_pop) in enumerate(zip(picks, pops_r, strict=True), start=1):
                r_ru, r_kk, r_en = rural_roots[pick]
                out.append(
                    Territory(
                        f"{d_code}-{i:02d}",
                        f"сельский округ {r_ru}",
                        f"{r_en} Rural District",
                        f"{r_kk} ауылдық округі",
                        "settlement",
                        d_code,
                        r_pop,
                        tz,
                        "KZ",
                        False,
                    )
                )
    return out


def _ru_territories() -> list[Territory]:
    """Russia: the country, Altai Krai, its city okrugs and municipal districts, and 639 settlements."""
    tz = "Asia/Barnaul"
    out = [
        Territory("RU", "Россия", "Russia", "", "country", "", 146_000_000, "Europe/Moscow", "RU", False),
        Territory("RU-ALT", "Алтайский край", "Altai Krai", "", "region", "RU", 2_115_000, tz, "RU", False),
    ]
    taken: set[str] = set()
    for ru, en, city_pop in _rows(_ALT_CITIES):
        code = f"RU-ALT-{_abbr(en, taken)}"
        out.append(Territory(code, ru, en, "", "district", "RU-ALT", int(city_pop), tz, "RU", True))
    names = _ALT_DISTRICTS.split()
    pops = _split_population(2_115_000 - sum(int(r[2]) for r in _rows(_ALT_CITIES)), len(names), "RU-ALT")
    # Settlements per district: uneven but summing to exactly 639; the training district gets a good sample.
    rng = _fixed_rng("RU-ALT/settlements")
    counts = rng.integers(6, 16, len(names))
    training = names.index(_TRAINING_DISTRICT)
    counts[training] = 16
    while (gap := _ALT_SETTLEMENTS - int(counts.sum())) != 0:
        i = int(rng.integers(len(names)))
        if i != training and counts[i] + np.sign(gap) >= 5:
            counts[i] += np.sign(gap)
    roots = _ALT_SETTLEMENT_ROOTS.split()
    for name, pop, count in zip(names, pops, counts, strict=True):
        adj = name.replace("_", " ")
        en = "German National District" if adj.startswith("Немецкий") else f"{_translit(adj.split()[0])} District"
        code = f"RU-ALT-{_abbr(en, taken)}"
        out.append(Territory(code, f"{adj} район", en, "", "district", "RU-ALT", pop, tz, "RU", False))
        rng = _fixed_rng(code)
        own = [] if " " in adj or adj in roots else [adj]
        picked = own + [roots[j] for j in rng.choice(len(roots), int(count) - len(own), replace=False)]
        s_pops = _split_population(int(pop * 0.95), int(count), code, first_share=0.3)
        for i, (root, s_pop) in enumerate(zip(picked, s_pops, strict=True), start=1):
            kind = "поссовет" if i == 1 and rng.random() < 0.25 else "сельсовет"
            out.append(
                Territory(
                    f"{code}-{i:02d}",
                    f"{root} {kind}",
                    f"{_translit(root)} {'possovet' if kind == 'поссовет' else 'selsovet'}",
                    "",
                    "settlement",
                    code,
                    s_pop,
                    tz,
                    "RU",
                    False,
                )
            )
    return out


@dataclass(frozen=True)
class Page:
    """A registry row and the fixed traits the simulation starts from."""

    platform: str
    account_id: str
    handle: str
    display_name: str
    territory: Territory
    owner_kind: str
    owner_role: str
    owner_name: str
    sphere: str
    required: int
    mark: str
    created: dt.date
    tier: str
    story: str = ""
    old_handle: str = ""
    dormant_days: int = 0
    recent_days: int = 0


_ID_RANGES = {
    "instagram": ("", 1_000_000_000, 60_000_000_000),
    "facebook": ("", 100_064_000_000_000, 1_000_000_000_000),
    "telegram": ("-100", 1_000_000_000, 9_000_000_000),
    "vk": ("", 10_000_000, 220_000_000),
    "ok": ("", 70_000_000_000_000, 1_000_000_000_000),
}


def _account_id(platform: str, key: str) -> str:
    """A platform-looking numeric id derived from a stable key."""
    prefix, base, span = _ID_RANGES[platform]
    h = int.from_bytes(hashlib.blake2b(f"{platform}:{key}".encode(), digest_size=8).digest(), "big")
    return f"{prefix}{base + h % span}"


def _date_between(rng: np.random.Generator, first: str, last: str) -> dt.date:
    """A date drawn uniformly between two ISO dates."""
    a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return a + dt.timedelta(days=int(rng.integers(0, (b - a).days + 1)))


class _Registry:
    """Builds the pages with unique ids and handles."""

    def __init__(self) -> None:
        self.pages: list[Page] = []
        self.handles: set[tuple[str, str]] = set()
        self.ids: set[tuple[str, str]] = set()

    def handle(self, platform: str, wanted: str, fallback: str) -> str:
        """The wanted handle, or a suffixed one when another page already holds it."""
        numbered = (f"{wanted}{n}" for n in range(2, 99))
        for candidate in itertools.chain((wanted, f"{wanted}_{fallback}"), numbered):
            if (platform, candidate) not in self.handles:
                self.handles.add((platform, candidate))
                return candidate
        raise ValueError(wanted)

    def add(self, platform: str, key: str, handle: str, territory: Territory, **traits: Any) -> Page:
        """Register a page under a stable key."""
        account_id, n = _account_id(platform, key), 2
        while (platform, account_id) in self.ids:
            account_id, n = _account_id(platform, f"{key}/{n}"), n + 1
        self.ids.add((platform, account_id))
        if "{id}" in handle:
            handle = handle.replace("{id}", account_id)
        page = Page(platform=platform, account_id=account_id, handle=handle, territory=territory, **traits)
        self.pages.append(page)
        return page


_HEAD_IG = ("akim_{s}", "{s}_akimi", "akim.{s}", "{s}.akim")
_BODY_IG = ("{s}_akimat", "akimat_{s}", "{s}.akimdigi", "{s}_akimdigi")
_INSTITUTIONS = (
    ("education", "Средняя школа № {n} {g}", ("{s}_mektep{n}", "school{n}_{s}")),
    ("culture", "Дом культуры {g}", ("{s}_madeniet", "dk_{s}")),
    ("employment", "Центр занятости населения {g}", ("enbek_{s}", "{s}_czn")),
    ("health", "Районная больница {g}", ("{s}_aurukhana", "crb_{s}")),
)


def _kz_pages(reg: _Registry, territories: list[Territory]) -> None:
    """Akims, akimats, deputies, press services, institutions and rural akims of Kazakhstan."""
    by_code = {t.code: t for t in territories}
    for t in territories:
        if t.country != "KZ" or t.level == "country":
            continue
        rng = _fixed_rng(t.code + "/pages")
        g = t.genitive
        region = t if t.level == "region" else by_code[t.parent_code]
        fallback = region.code.removeprefix("KZ-").lower()
        if t.level == "region":
            s = t.stem if t.urban else f"{t.stem}_obl"
            head = dict(owner_kind="person", owner_role="head", owner_name=f"Аким {g}", sphere="", required=1)
            for platform, pattern in (("instagram", "akim_{s}"), ("facebook", "akim.{s}"), ("telegram", "akim_{s}")):
                reg.add(
                    platform,
                    f"{t.code}/head",
                    reg.handle(platform, pattern.format(s=s), fallback),
                    t,
                    display_name=f"Аким {g}",
                    mark="0" if platform == "telegram" else "1",
                    created=_date_between(rng, "2016-01-01", "2019-06-30"),
                    tier="kz_region_head",
                    **head,
                )
            body = dict(owner_kind="body", owner_role="body", owner_name=f"Акимат {g}", sphere="", required=1)
            for platform, pattern in (("instagram", "{s}_akimat"), ("facebook", "akimat.{s}")):
                reg.add(
                    platform,
                    f"{t.code}/body",
                    reg.handle(platform, pattern.format(s=s), fallback),
                    t,
                    display_name=f"Акимат {g}",
                    mark="1" if platform == "instagram" else "0",
                    created=_date_between(rng, "2014-01-01", "2018-12-31"),
                    tier="kz_region_body",
                    **body,
                )
            if t.urban or rng.random() < 0.2:
                for platform in ("instagram", "facebook"):
                    reg.add(
                        platform,
                        f"{t.code}/deputy",
                        reg.handle(platform, f"deputy_akim_{s}", fallback),
                        t,
                        display_name=f"Заместитель акима {g}",
                        owner_kind="person",
                        owner_role="deputy",
                        owner_name=f"Заместитель акима {g}",
                        sphere="",
                        required=0,
                        mark="0",
                        created=_date_between(rng, "2017-01-01", "2021-12-31"),
                        tier="kz_deputy",
                    )
            if t.urban or rng.random() < 0.35:
                reg.add(
                    "telegram",
                    f"{t.code}/press",
                    reg.handle("telegram", f"{s}_press", fallback),
                    t,
                    display_name=f"Пресс-служба акимата {g}",
                    owner_kind="body",
                    owner_role="press_service",
                    owner_name=f"Пресс-служба акимата {g}",
                    sphere="",
                    required=0,
                    mark="0",
                    created=_date_between(rng, "2020-01-01", "2022-12-31"),
                    tier="kz_press",
                )
        elif t.level == "district":
            s = t.stem
            head = dict(owner_kind="person", owner_role="head", owner_name=f"Аким {g}", sphere="", required=1)
            body = dict(owner_kind="body", owner_role="body", owner_name=f"Акимат {g}", sphere="", required=1)
            marked = "1" if rng.random() < 0.1 else "0"
            channels = [
                ("instagram", "head", _HEAD_IG[int(rng.integers(4))], "kz_district_head", head, 1.0),
                ("instagram", "body", _BODY_IG[int(rng.integers(4))], "kz_district_body", body, 1.0),
                ("facebook", "body", "akimat.{s}", "kz_district_body", body, 0.45),
                ("telegram", "head", "akim_{s}_official", "kz_district_head", head, 0.2),
                ("facebook", "head", "akim.{s}", "kz_district_head", head, 0.15),
            ]
            for platform, role, pattern, tier, traits, share in channels:
                if rng.random() >= share:
                    continue
                reg.add(
                    platform,
                    f"{t.code}/{role}",
                    reg.handle(platform, pattern.format(s=s), fallback),
                    t,
                    display_name=str(traits["owner_name"]),
                    mark=marked if platform == "instagram" else "0",
                    created=_date_between(rng, "2019-03-15", "2020-12-31"),
                    tier=tier,
                    **traits,
                )
            if rng.random() < 0.35:
                picks = rng.choice(len(_INSTITUTIONS), int(rng.integers(1, 4)), replace=False)
                for pick in sorted(picks):
                    sphere, name, patterns = _INSTITUTIONS[pick]
                    n = int(rng.integers(1, 40))
                    owner = name.format(n=n, g=g)
                    if sphere == "health" and t.urban:
                        owner = owner.replace("Районная", "Городская")
                    platform = "facebook" if rng.random() < 0.15 else "instagram"
                    reg.add(
                        platform,
                        f"{t.code}/{sphere}",
                        reg.handle(platform, patterns[int(rng.integers(2))].format(s=s, n=n), fallback),
                        t,
                        display_name=owner,
                        owner_kind="body",
                        owner_role="institution",
                        owner_name=owner,
                        sphere=sphere,
                        required=0,
                        mark="0",
                        created=_date_between(rng, "2017-01-01", "2022-12-31"),
                        tier="kz_institution",
                        recent_days=int(rng.integers(45, 400)) if rng.random() < 0.1 else 0,
                    )
        else:
            district = by_code[t.parent_code]
            root = _stem(t.name_en)
            reg.add(
                "instagram",
                f"{t.code}/head",
                reg.handle("instagram", f"{root}_auyl_akimi", district.stem),
                t,
                display_name=f"Аким {g}",
                owner_kind="person",
                owner_role="head",
                owner_name=f"Аким {g}",
                sphere="",
                required=1,
                mark="0",
                created=_date_between(rng, "2019-04-01", "2021-12-31"),
                tier="kz_rural_head",
            )


def _ru_pages(reg: _Registry, territories: list[Territory]) -> None:
    """The governor and government of Altai Krai, district administrations and settlement pages."""
    by_code = {t.code: t for t in territories}
    krai = by_code["RU-ALT"]
    rng = _fixed_rng("RU-ALT/pages")
    for platform, handle in (("vk", "gubernator_altai"), ("ok", "gubernatoraltai"), ("telegram", "gubernator22")):
        reg.add(
            platform,
            "RU-ALT/head",
            reg.handle(platform, handle, "alt"),
            krai,
            display_name="Губернатор Алтайского края",
            owner_kind="person",
            owner_role="head",
            owner_name="Губернатор Алтайского края",
            sphere="",
            required=0,
            mark="0" if platform == "telegram" else _date_between(rng, "2022-12-01", "2023-02-28").isoformat(),
            created=_date_between(rng, "2016-01-01", "2019-12-31"),
            tier="ru_governor",
        )
    for platform, handle in (("vk", "altai_krai_gov"), ("ok", "altaikraigov"), ("telegram", "altai_krai_gov")):
        reg.add(
            platform,
            "RU-ALT/body",
            reg.handle(platform, handle, "alt"),
            krai,
            display_name="Правительство Алтайского края",
            owner_kind="body",
            owner_role="body",
            owner_name="Правительство Алтайского края",
            sphere="",
            required=1,
            mark="0" if platform == "telegram" else _date_between(rng, "2022-12-01", "2023-01-31").isoformat(),
            created=_date_between(rng, "2012-01-01", "2017-12-31"),
            tier="ru_government",
        )
    settlements = [t for t in territories if t.country == "RU" and t.level == "settlement"]
    marked = set(_fixed_rng("RU-ALT/marks").choice(len(settlements), _ALT_MARKED, replace=False).tolist())
    training = next(t.code for t in territories if t.name_ru == f"{_TRAINING_DISTRICT} район")
    candidates = [i for i, t in enumerate(settlements) if t.parent_code != training]
    dormant = set(_fixed_rng("RU-ALT/dormant").choice(candidates, len(settlements) // 20, replace=False).tolist())
    for t in territories:
        if t.country != "RU" or t.level == "country" or t.code == "RU-ALT":
            continue
        rng = _fixed_rng(t.code + "/pages")
        owner = f"Администрация {t.genitive}"
        if t.level == "district":
            vk = ("adm_{s}", "{s}_adm", "admin{s}") if t.urban else ("adm_{s}", "{s}_rayon", "admin{s}")
            for platform, pattern in (("vk", vk), ("ok", ("adm{s}", "{s}adm"))):
                reg.add(
                    platform,
                    f"{t.code}/body",
                    reg.handle(platform, pattern[int(rng.integers(len(pattern)))].format(s=t.stem), "alt"),
                    t,
                    display_name=f"{owner} Алтайского края" if not t.urban else owner,
                    owner_kind="body",
                    owner_role="body",
                    owner_name=owner,
                    sphere="",
                    required=1,
                    mark=_date_between(rng, "2023-01-15", "2023-10-31").isoformat()
                    if rng.random() < (0.95 if platform == "vk" else 0.7)
                    else "0",
                    created=_date_between(rng, "2013-01-01", "2020-12-31")
                    if platform == "vk"
                    else _date_between(rng, "2022-09-01", "2023-01-31"),
                    tier="ru_district",
                )
        else:
            i = settlements.index(t)
            stem, district = _stem(t.name_en), _stem(by_code[t.parent_code].name_en)
            custom = rng.random() < 0.55
            wanted = f"{stem}_ss" if rng.random() < 0.5 else f"adm_{stem}"
            handle = reg.handle("vk", wanted, district) if custom else ""
            reg.add(
                "vk",
                f"{t.code}/body",
                handle or "public{id}",
                t,
                display_name=owner,
                owner_kind="body",
                owner_role="body",
                owner_name=owner,
                sphere="",
                required=1,
                mark=_date_between(rng, "2023-01-20", "2023-12-20").isoformat() if i in marked else "0",
                created=_date_between(rng, "2022-06-01", "2023-01-31"),
                tier="ru_settlement",
                story="training" if t.parent_code == training else "",
                dormant_days=int(rng.integers(70, 300)) if i in dormant else 0,
            )


# Story lines that sit on one named page: (region or district code, English name, platform, role key).
_STORY_PAGES = {
    "new_akim": ("KZ-KUS", "Karasu District", "instagram", "head"),
    "campaign": ("KZ", "North Kazakhstan Region", "instagram", "head"),
    "bought_followers": ("KZ-MAN", "Munaily District", "instagram", "head"),
    "rename": ("KZ-PAV", "Ekibastuz", "instagram", "body"),
}
_NEVER_ANSWER = (
    ("KZ-ATY", "Makat District", "instagram", "body"),
    ("KZ-ZAP", "Kaztalov District", "instagram", "body"),
    ("KZ-AKT", "Shalkar District", "instagram", "head"),
    ("RU-ALT", "Suetsky District", "vk", "body"),
)
_DORMANT = (
    ("KZ-ZHA", "Sarysu District", "instagram", "head"),
    ("KZ-VOS", "Zaisan District", "instagram", "body"),
)
_DAYS = {"new_akim": 120, "campaign": 150, "bought_followers": 100, "rename": 90, "training": 183}


@cache
def _registry() -> tuple[tuple[Territory, ...], tuple[Page, ...]]:
    """The territories and pages of the demo; the same for every seed."""
    territories = _kz_territories() + _ru_territories()
    reg = _Registry()
    _kz_pages(reg, territories)
    _ru_pages(reg, territories)
    pages = reg.pages

    def find(parent: str, name_en: str, platform: str, role: str) -> int:
        code = next(t.code for t in territories if t.parent_code == parent and t.name_en == name_en)
        account_id = _account_id(platform, f"{code}/{role}")
        return next(i for i, p in enumerate(pages) if p.platform == platform and p.account_id == account_id)

    for story, spec in _STORY_PAGES.items():
        i = find(*spec)
        page = replace(pages[i], story=story)
        if story == "rename":
            new = reg.handle(page.platform, f"akimat_{page.territory.stem}_official", "pav")
            page = replace(page, old_handle=page.handle, handle=new)
        pages[i] = page
    for spec in _NEVER_ANSWER:
        i = find(*spec)
        pages[i] = replace(pages[i], story="never_answers")
    for n, spec in enumerate(_DORMANT):
        i = find(*spec)
        pages[i] = replace(pages[i], dormant_days=95 + 60 * n)
    return tuple(territories), tuple(pages)


def _stories() -> dict[str, Story]:
    """The story lines, pointing at their pages."""
    territories, pages = _registry()

    def ids(match: Iterable[Page]) -> tuple[tuple[str, str], ...]:
        return tuple((p.platform, p.account_id) for p in match)

    training = next(t.code for t in territories if t.name_ru == f"{_TRAINING_DISTRICT} район")
    story_page = {p.story: p for p in pages if p.story}
    stories = {
        "new_akim": Story(
            ids([story_page["new_akim"]]),
            _DAYS["new_akim"],
            "A new district akim's personal Instagram: 0 to ~1,000 followers in two months, then slow growth",
        ),
        "campaign": Story(
            ids([story_page["campaign"]]),
            _DAYS["campaign"],
            "A regional akim's Instagram gains ~15,000 followers in under three weeks (a campaign)",
        ),
        "never_answers": Story(
            ids(p for p in pages if p.story == "never_answers"),
            0,
            "District pages that never answer: inquiries arrive, first_reply_at is always empty",
        ),
        "dormant": Story(
            ids(p for p in pages if p.dormant_days),
            min(p.dormant_days for p in pages if p.dormant_days),
            "Dormant pages: no posts for 70+ days and flat followers (about 5 % of Altai settlement pages)",
        ),
        "training": Story(
            ids(p for p in pages if p.story == "training"),
            _DAYS["training"],
            "Settlements of a district trained by the regional centre: replies jump from ~30 % to ~85 %",
            training,
        ),
        "bought_followers": Story(
            ids([story_page["bought_followers"]]),
            _DAYS["bought_followers"],
            "A district akim's Instagram gains ~8,000 bought followers in one day, then loses part of them",
        ),
        "rename": Story(
            ids([story_page["rename"]]),
            _DAYS["rename"],
            "A city akimat's Instagram renames its handle; the registry holds the new one",
        ),
    }
    return stories


STORIES: dict[str, Story] = _stories()


class _Tier(NamedTuple):
    """How a kind of page behaves."""

    ref_population: float
    comment_rate: float
    question_share: float
    direct_rate: float
    reply_rate: float
    reply_minutes: float
    weekly: bool
    growth: float
    person: bool


_TIERS = {
    "kz_region_head": _Tier(800_000, 0.0010, 0.04, 0.06, 0.75, 150, False, 0.20, True),
    "kz_region_body": _Tier(800_000, 0.0005, 0.06, 0.06, 0.85, 90, False, 0.15, False),
    "kz_deputy": _Tier(800_000, 0.0006, 0.06, 0.04, 0.60, 240, False, 0.15, True),
    "kz_press": _Tier(800_000, 0.0003, 0.10, 0.0, 0.80, 60, False, 0.25, False),
    "kz_district_head": _Tier(40_000, 0.0015, 0.07, 0.06, 0.70, 180, False, 0.25, True),
    "kz_district_body": _Tier(40_000, 0.0010, 0.07, 0.05, 0.75, 150, False, 0.20, False),
    "kz_institution": _Tier(40_000, 0.0008, 0.10, 0.02, 0.60, 300, True, 0.15, False),
    "kz_rural_head": _Tier(4_000, 0.0040, 0.20, 0.06, 0.65, 300, True, 0.20, True),
    "ru_governor": _Tier(2_000_000, 0.0008, 0.06, 0.06, 0.70, 200, False, 0.12, True),
    "ru_government": _Tier(2_000_000, 0.0004, 0.08, 0.06, 0.90, 60, False, 0.10, False),
    "ru_district": _Tier(15_000, 0.0015, 0.15, 0.06, 0.80, 120, False, 0.12, False),
    "ru_settlement": _Tier(1_400, 0.0040, 0.25, 0.06, 0.70, 240, True, 0.10, False),
    # National scale only.
    "ru_district_head": _Tier(15_000, 0.0015, 0.10, 0.05, 0.70, 180, False, 0.12, True),
    "ru_municipality": _Tier(1_400, 0.0080, 0.30, 0.15, 0.70, 240, True, 0.10, False),
    "ru_institution": _Tier(3_000, 0.0050, 0.25, 0.10, 0.60, 300, True, 0.10, False),
}

# Median followers and posts a day, by tier and platform.
_PROFILES: dict[tuple[str, str], tuple[float, float]] = {
    ("kz_region_head", "instagram"): (60_000, 0.8),
    ("kz_region_head", "facebook"): (12_000, 0.4),
    ("kz_region_head", "telegram"): (8_000, 1.0),
    ("kz_region_body", "instagram"): (40_000, 1.0),
    ("kz_region_body", "facebook"): (10_000, 0.7),
    ("kz_deputy", "instagram"): (25_000, 0.4),
    ("kz_deputy", "facebook"): (10_000, 0.3),
    ("kz_press", "telegram"): (5_000, 1.5),
    ("kz_district_head", "instagram"): (5_000, 0.25),
    ("kz_district_head", "telegram"): (1_500, 0.3),
    ("kz_district_head", "facebook"): (2_000, 0.2),
    ("kz_district_body", "instagram"): (7_000, 0.3),
    ("kz_district_body", "facebook"): (2_000, 0.3),
    ("kz_institution", "instagram"): (1_200, 0.15),
    ("kz_institution", "facebook"): (600, 0.1),
    ("kz_rural_head", "instagram"): (900, 0.12),
    ("ru_governor", "vk"): (90_000, 0.8),
    ("ru_governor", "ok"): (25_000, 0.5),
    ("ru_governor", "telegram"): (45_000, 1.2),
    ("ru_government", "vk"): (60_000, 3.0),
    ("ru_government", "ok"): (20_000, 1.0),
    ("ru_government", "telegram"): (30_000, 3.0),
    ("ru_district", "vk"): (3_000, 0.4),
    ("ru_district", "ok"): (1_500, 0.3),
    ("ru_settlement", "vk"): (450, 0.07),
    # National scale only.
    ("ru_municipality", "vk"): (450, 0.25),
    ("ru_municipality", "ok"): (250, 0.12),
    ("ru_district_head", "vk"): (2_500, 0.35),
    ("ru_institution", "vk"): (700, 0.32),
    ("ru_institution", "ok"): (350, 0.2),
}

_POST_TYPES = {
    "instagram": (("photo", "album", "reel", "video", "story", "live"), (0.34, 0.2, 0.2, 0.1, 0.13, 0.03)),
    "facebook": (("photo", "video", "link", "live", "text"), (0.5, 0.15, 0.15, 0.05, 0.15)),
    "telegram": (("text", "photo", "video", "link"), (0.35, 0.4, 0.15, 0.1)),
    "vk": (("photo", "text", "video", "repost", "link"), (0.5, 0.15, 0.12, 0.15, 0.08)),
    "ok": (("photo", "text", "video", "repost", "link"), (0.55, 0.2, 0.13, 0.05, 0.07)),
}
_TYPE_LIKES = {
    "photo": 1.0,
    "album": 1.1,
    "reel": 1.6,
    "video": 1.2,
    "story": 0.3,
    "live": 0.8,
    "text": 0.6,
    "link": 0.4,
    "repost": 0.5,
}
_LIKE_RATE = {"instagram": 0.02, "facebook": 0.006, "telegram": 0.006, "vk": 0.012, "ok": 0.01}
_COMMENT_FACTOR = {"instagram": 1.0, "facebook": 0.8, "telegram": 0.25, "vk": 0.8, "ok": 0.6}
# Views shown by the platform: None = every post, else only for these post types.
_VIEWS: dict[str, tuple[float, frozenset[str] | None]] = {
    "instagram": (0.6, frozenset({"reel", "video", "story", "live"})),
    "facebook": (0.2, frozenset({"video", "live"})),
    "telegram": (0.4, None),
    "vk": (0.8, None),
    "ok": (0.4, None),
}

_PUBLISH_HOURS = np.array([0] * 8 + [2, 4, 5, 4, 3, 3, 3, 3, 3, 4, 5, 4, 3, 2] + [0, 0], dtype=float)
_PUBLISH_HOURS /= _PUBLISH_HOURS.sum()
_WRITE_HOURS = np.array(
    [0.5, 0.3, 0.2, 0.2, 0.2, 0.4, 0.8, 1.5, 2.5, 3.5, 4, 4, 3.8, 3.5, 3.5, 3.5, 3.5, 3.6, 4, 4.2, 4.2, 3.5, 2.2, 1.2]
)
_WRITE_HOURS /= _WRITE_HOURS.sum()

_CHANNELS = np.array(["comment", "direct", "mention"])
_REPLIERS = np.array(["owner", "press_service", "other"])
_TOPICS = np.array(
    [
        "roads",
        "gas",
        "utilities",
        "construction",
        "landscaping",
        "transport",
        "prices",
        "education",
        "health",
        "zoo",
        "",
    ]
)
_TOPICS_RURAL = np.array([0.25, 0.12, 0.2, 0.06, 0.1, 0.06, 0.06, 0.06, 0.06, 0.0, 0.03])
_TOPICS_URBAN = np.array([0.17, 0.04, 0.17, 0.12, 0.14, 0.13, 0.07, 0.05, 0.05, 0.02, 0.04])
_TOPICS_RURAL /= _TOPICS_RURAL.sum()
_TOPICS_URBAN /= _TOPICS_URBAN.sum()


class _Calendar:
    """Working minutes of a country (Mon–Fri 09:00–18:00, lunch 13–14, no holidays) over the period."""

    def __init__(self, country: str, first_day: int, last_day: int) -> None:
        day_numbers = np.arange(first_day, last_day + 1)
        years = range(_date(first_day).year, _date(last_day).year + 1)
        off = [(d - _EPOCH).days for d in holidays.country_holidays(country, years=years)]
        work_day = ((day_numbers + 3) % 7 < 5) & ~np.isin(day_numbers, off)
        minute = np.arange(1440)
        work_minute = ((minute >= 540) & (minute < 780)) | ((minute >= 840) & (minute < 1080))
        self.mask = (work_day[:, None] & work_minute[None, :]).ravel()
        self.cum = np.cumsum(self.mask, dtype=np.int64)
        self.origin = first_day * _DAY

    def after(self, received: np.ndarray, minutes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The moment `minutes` working minutes after each received time; -1 past the calendar."""
        m = (received - self.origin) // 60
        target = self.cum[m] - self.mask[m] + minutes
        at = np.searchsorted(self.cum, target, side="left")
        inside = at < self.cum.size
        moment = self.origin + at * 60 + rng.integers(0, 60, at.size)
        return np.where(inside, moment, -1)


@dataclass(frozen=True)
class _Context:
    """What every page's simulation shares."""

    seed: int
    start_day: int
    end_day: int
    outage: np.ndarray
    calendars: dict[str, _Calendar]
    # National scale: every page is snapshotted every day (no weekly collection), so rows = pages × days.
    every_day: bool = False

    @property
    def end_ts(self) -> int:
        """Last second of the end day."""
        return self.end_day * _DAY + _DAY - 1


def _day(d: dt.date) -> int:
    """Days since 1970-01-01."""
    return (d - _EPOCH).days


def _date(day: int) -> dt.date:
    """Date of a day number."""
    return _EPOCH + dt.timedelta(days=int(day))


def _months_before(end: dt.date, months: int) -> dt.date:
    """First day of the period of `months` months that ends on `end`."""
    y, m = divmod(end.year * 12 + end.month - 1 - months, 12)
    day = min(end.day, calendar.monthrange(y, m + 1)[1])
    return dt.date(y, m + 1, day) + dt.timedelta(days=1)


def _created_on(page: Page, ctx: _Context) -> dt.date:
    """Creation date of a page for this period; never after the end."""
    if page.story == "new_akim":
        return _date(ctx.end_day - _DAYS["new_akim"])
    if page.recent_days:
        return _date(ctx.end_day - page.recent_days)
    if _day(page.created) > ctx.end_day - 30:
        return _date(ctx.start_day - 30 - zlib.crc32(page.account_id.encode()) % 700)
    return page.created


def _mark(page: Page, ctx: _Context) -> str:
    """Official mark as of the end: a date in the future is not granted yet."""
    if len(page.mark) == 10 and _day(dt.date.fromisoformat(page.mark)) > ctx.end_day:
        return "0"
    return page.mark


def _stamp(seconds: np.ndarray) -> np.ndarray:
    """ISO local wall time without offset."""
    return np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")


def _post_ids(page: Page, ordinal: np.ndarray) -> list[str]:
    """Platform-looking post ids from the post's ordinal number on the page."""
    h = zlib.crc32(page.account_id.encode())
    if page.platform == "vk":
        return [f"-{page.account_id}_{n}" for n in ordinal.tolist()]
    if page.platform == "facebook":
        return [f"{page.account_id}_{n}" for n in (ordinal + 10**15).tolist()]
    if page.platform == "telegram":
        return ordinal.astype(str).tolist()
    return (ordinal + 17_000_000_000_000_000 + (h % 10**9) * 10**6).astype(str).tolist()


def _followers(page: Page, rng: np.random.Generator, days: np.ndarray, created: int, ctx: _Context) -> np.ndarray:
    """Daily followers of a page from its first day in the period to the end."""
    tier = _TIERS[page.tier]
    n = days.size
    t = np.arange(n, dtype=float)
    median, _ = _PROFILES[(page.tier, page.platform)]
    scale = float(np.clip((page.territory.population / tier.ref_population) ** 0.4, 0.3, 3.0))
    size = median * scale * rng.lognormal(0.0, 0.5)
    growth = tier.growth * rng.lognormal(0.0, 0.5) - 0.03
    if created >= ctx.start_day:
        # A page created in the period fills quickly from zero, then grows slowly.
        level, tau, slope = (950.0, 18.0, 1.2) if page.story == "new_akim" else (size * 0.4, 30.0, size / 365 * 0.2)
        curve = level * (1 - np.exp(-t / tau)) + slope * t
        inc = np.diff(curve, prepend=0.0) + rng.normal(0.0, 0.5 + 0.01 * np.sqrt(level), n)
        start = 0.0
    else:
        start = size
        g = size * growth / 365
        weekday = (days + 3) % 7
        inc = g * np.where(weekday < 5, 1.1, 0.75) + rng.normal(0.0, 0.3 + 0.8 * np.sqrt(abs(g)) + size * 3e-4, n)
        viral = rng.random(n) < 0.01
        inc[viral] += (abs(g) + 1) * rng.uniform(5, 20, int(viral.sum()))
    event = ctx.end_day - _DAYS.get(page.story, 0) - days[0]
    if page.story == "campaign" and event >= 0 and event + 18 <= n:
        bell = np.hanning(20)[1:-1]
        inc[event : event + 18] += 14_500 * bell / bell.sum()
    if page.story == "bought_followers" and 0 <= event < n:
        inc[event] += 8_000
        tail = np.exp(-np.arange(min(90, n - event - 1)) / 25)
        inc[event + 1 : event + 1 + tail.size] -= 2_800 * tail / max(tail.sum(), 1e-9)
    if page.dormant_days:
        quiet = days >= ctx.end_day - page.dormant_days
        inc[quiet] = -(rng.random(int(quiet.sum())) < 0.08).astype(float)
    return np.maximum(np.round(start + np.cumsum(inc)), 0).astype(np.int64)


class _Posts(NamedTuple):
    """The posts of one page in publication order."""

    published: np.ndarray
    collected: np.ndarray
    kind: np.ndarray
    likes: np.ndarray
    comments: np.ndarray
    shares: np.ndarray
    views: np.ndarray
    ids: list[str]
    total: np.ndarray


def _posts(
    page: Page, rng: np.random.Generator, days: np.ndarray, created: int, followers: np.ndarray, ctx: _Context
) -> _Posts:
    """Posts: a daily Poisson count, fewer at weekends, none once a page goes dormant; metrics follow reach."""
    tier = _TIERS[page.tier]
    _, rate = _PROFILES[(page.tier, page.platform)]
    lam = rate * rng.lognormal(0.0, 0.35) * np.where((days + 3) % 7 >= 5, 0.45, 1.0)
    if page.story == "campaign":
        event = ctx.end_day - _DAYS["campaign"] - int(days[0])
        lam[max(event, 0) : max(event + 18, 0)] *= 3
    if page.dormant_days:
        lam[days >= ctx.end_day - page.dormant_days] = 0
    counts = rng.poisson(lam)
    before = int(rate * (days[0] - created) * rng.uniform(0.4, 0.9)) if created < days[0] else 0

    day = np.repeat(np.arange(days.size), counts)
    k = day.size
    seconds = rng.choice(24, k, p=_PUBLISH_HOURS) * 3600 + rng.integers(0, 3600, k)
    published = days[day] * _DAY + seconds[np.lexsort((seconds, day))]
    names, weights = _POST_TYPES[page.platform]
    kinds = rng.choice(len(names), k, p=weights)
    kind = np.array(names)[kinds]
    reach = followers[day].astype(float)
    appeal = np.array([_TYPE_LIKES[x] for x in names])[kinds]
    likes = rng.poisson(reach * _LIKE_RATE[page.platform] * appeal * rng.lognormal(0.0, 0.5, k))
    comments = rng.poisson(reach * tier.comment_rate * _COMMENT_FACTOR[page.platform] * rng.lognormal(0.0, 0.7, k))
    shares = rng.poisson(likes * 0.05 * rng.lognormal(0.0, 0.5, k))
    view_rate, view_types = _VIEWS[page.platform]
    views = rng.poisson(reach * view_rate * appeal * rng.lognormal(0.0, 0.5, k))
    if view_types is not None:
        views[~np.isin(kind, list(view_types))] = -1
    collected = (days[day] + rng.integers(1, 3, k)) * _DAY + rng.integers(2 * 3600, 7 * 3600, k)
    late = collected > ctx.end_ts
    collected[late] = ctx.end_ts - rng.integers(0, 1800, int(late.sum()))
    ids = _post_ids(page, before + 1 + np.arange(k))
    return _Posts(published, collected, kind, likes, comments, shares, views, ids, before + np.cumsum(counts))


def _received(
    page: Page, rng: np.random.Generator, days: np.ndarray, followers: np.ndarray, posts: _Posts, ctx: _Context
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times, channels and commented posts (-1: none) of inquiries: questions in comments, messages, mentions."""
    tier = _TIERS[page.tier]
    on_post = np.repeat(np.arange(posts.published.size), rng.binomial(posts.comments, tier.question_share))
    start, span = posts.published[on_post], posts.collected[on_post] - posts.published[on_post]
    delay = rng.exponential(4 * 3600, on_post.size) + 30
    # A comment counted in a post's metrics was written before the metrics were collected.
    delay = np.where(delay < span, delay, span * rng.uniform(0.05, 1.0, on_post.size))
    quiet = days >= ctx.end_day - page.dormant_days if page.dormant_days else np.zeros(days.size, dtype=bool)
    daily = tier.direct_rate * np.sqrt(followers / 1000) * np.where(quiet, 0.3, 1.0)
    # Telegram channels take no direct messages.
    directs = rng.poisson(daily * (page.platform != "telegram"))
    mentions = rng.poisson(daily * 0.25)
    on_day = np.concatenate([np.repeat(days, directs), np.repeat(days, mentions)])
    written = on_day * _DAY + rng.choice(24, on_day.size, p=_WRITE_HOURS) * 3600 + rng.integers(0, 3600, on_day.size)
    received = np.concatenate([start + delay.astype(np.int64), written])
    channel = np.concatenate(
        [np.zeros(on_post.size, np.int64), np.ones(directs.sum(), np.int64), np.full(mentions.sum(), 2)]
    )
    post_ref = np.concatenate([on_post, np.full(on_day.size, -1)])
    order = np.argsort(received, kind="stable")
    return received[order], channel[order], post_ref[order]


def _replies(
    page: Page, rng: np.random.Generator, received: np.ndarray, channel: np.ndarray, ctx: _Context
) -> tuple[np.ndarray, np.ndarray]:
    """First reply times (-1: unanswered by the end) in working hours, and who replied."""
    tier = _TIERS[page.tier]
    m = received.size
    share = float(np.clip(rng.beta(8 * tier.reply_rate, 8 * (1 - tier.reply_rate)), 0.05, 0.98))
    chance = np.full(m, share)
    minutes = np.full(m, tier.reply_minutes * rng.lognormal(0.0, 0.5))
    if page.story == "training":
        trained = ctx.end_day - _DAYS["training"]
        chance = np.interp(received // _DAY, [trained - 30, trained], [0.3, 0.85])
        minutes = np.interp(received // _DAY, [trained - 30, trained], [900.0, 150.0])
    if page.story == "never_answers":
        chance[:] = 0.0
    if page.dormant_days:
        chance *= 0.15
    chance = np.where(channel == 2, chance * 0.6, chance)
    wait = np.maximum(rng.lognormal(np.log(minutes), 1.1, m), 2).astype(np.int64)
    replied = ctx.calendars[page.territory.country].after(received, wait, rng)
    answered = (rng.random(m) < chance) & (replied >= 0) & (replied <= ctx.end_ts)
    who = _REPLIERS[rng.choice(3, m, p=[0.55, 0.4, 0.05] if tier.person else [0.15, 0.75, 0.1])]
    return np.where(answered, replied, -1), np.where(answered, who, "")


def _simulate(page: Page, ctx: _Context) -> tuple[list[list[Any]], list[list[Any]], list[list[Any]]]:
    """Columns of the follower snapshots, posts and inquiries of one page."""
    rng = np.random.default_rng([ctx.seed, zlib.crc32(f"{page.platform}:{page.account_id}".encode())])
    created = _day(_created_on(page, ctx))
    days = np.arange(max(ctx.start_day, created), ctx.end_day + 1, dtype=np.int64)
    followers = _followers(page, rng, days, created, ctx)
    posts = _posts(page, rng, days, created, followers, ctx)
    received, channel, post_ref = _received(page, rng, days, followers, posts, ctx)
    replied, replied_by = _replies(page, rng, received, channel, ctx)
    urban = page.territory.urban or page.territory.level == "region"
    topic = _TOPICS[rng.choice(_TOPICS.size, received.size, p=_TOPICS_URBAN if urban else _TOPICS_RURAL)]

    keep = ~ctx.outage[days[0] - ctx.start_day :]
    if _TIERS[page.tier].weekly and not ctx.every_day:
        keep = ((days + 3) % 7 == 0) & (rng.random(days.size) > 0.05)
    keep[0] |= created >= ctx.start_day
    handle = np.full(days.size, page.handle, dtype=object)
    if page.old_handle:
        handle[days < ctx.end_day - _DAYS["rename"]] = page.old_handle

    n, k, m = int(keep.sum()), posts.published.size, received.size
    follower_cols = {
        "date": np.datetime_as_string(days[keep].astype("datetime64[D]")).tolist(),
        "platform": [page.platform] * n,
        "account_id": [page.account_id] * n,
        "followers": followers[keep].tolist(),
        "posts_total": posts.total[keep].tolist(),
        "handle": handle[keep].tolist(),
    }
    post_cols = {
        "collected_at": _stamp(posts.collected).tolist(),
        "platform": [page.platform] * k,
        "account_id": [page.account_id] * k,
        "post_id": posts.ids,
        "published_at": _stamp(posts.published).tolist(),
        "post_type": posts.kind.tolist(),
        "likes": posts.likes.tolist(),
        "comments": posts.comments.tolist(),
        "shares": posts.shares.tolist(),
        "views": np.where(posts.views < 0, "", posts.views.astype(str)).tolist(),
    }
    inquiry_base = (zlib.crc32(page.account_id.encode()) % 9000 + 1000) * 10**8
    inquiry_cols = {
        "platform": [page.platform] * m,
        "account_id": [page.account_id] * m,
        "inquiry_id": (inquiry_base + np.arange(m)).astype(str).tolist(),
        "channel": _CHANNELS[channel].tolist(),
        "post_id": np.array([*posts.ids, ""], dtype=object)[post_ref].tolist(),
        "received_at": _stamp(received).tolist(),
        "first_reply_at": np.where(replied < 0, "", _stamp(np.maximum(replied, 0))).tolist(),
        "replied_by": replied_by.tolist(),
        "topic": topic.tolist(),
    }
    return (
        [follower_cols[c] for c in HEADERS["followers"]],
        [post_cols[c] for c in HEADERS["posts"]],
        [inquiry_cols[c] for c in HEADERS["inquiries"]],
    )


def _territory_row(t: Territory) -> list[Any]:
    """A territories.csv row."""
    values = {
        "code": t.code,
        "name_ru": t.name_ru,
        "name_en": t.name_en,
        "name_kk": t.name_kk,
        "level": t.level,
        "parent_code": t.parent_code,
        "population": t.population,
        "timezone": t.timezone,
    }
    return [values[c] for c in HEADERS["territories"]]


def _account_row(page: Page, ctx: _Context) -> list[Any]:
    """An accounts.csv row; url stays empty because the pages are synthetic."""
    values = {
        "platform": page.platform,
        "account_id": page.account_id,
        "handle": page.handle,
        "display_name": page.display_name,
        "territory_code": page.territory.code,
        "owner_kind": page.owner_kind,
        "owner_role": page.owner_role,
        "owner_name": page.owner_name,
        "sphere": page.sphere,
        "required": page.required,
        "official_mark": _mark(page, ctx),
        "created_on": _created_on(page, ctx).isoformat(),
        "url": "",
    }
    return [values[c] for c in HEADERS["accounts"]]


def write_demo(out_dir: Path, *, seed: int = 2019, end: dt.date | None = None, months: int = 18) -> list[Path]:
    """Write the demo CSV files into out_dir; return their paths: territories, accounts, followers, posts, inquiries."""
    end = end or dt.date.today() - dt.timedelta(days=1)
    start = _months_before(end, months)
    start_day, end_day = _day(start), _day(end)
    # A collector misses a whole day now and then; daily series get gaps the ETL carries forward.
    outage = np.zeros(end_day - start_day + 1, dtype=bool)
    n_out = max(1, outage.size // 120)
    outage[np.random.default_rng([seed, 0]).choice(np.arange(1, outage.size - 1), n_out, replace=False)] = True
    ctx = _Context(seed, start_day, end_day, outage, {c: _Calendar(c, start_day, end_day) for c in ("KZ", "RU")})
    territories, pages = _registry()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{kind}.csv" for kind in KINDS]
    files = [p.open("w", encoding="utf-8", newline="") for p in paths]
    try:
        writers = [csv.writer(f, lineterminator="\n") for f in files]
        for writer, kind in zip(writers, KINDS, strict=True):
            writer.writerow(HEADERS[kind])
        writers[0].writerows(_territory_row(t) for t in territories)
        writers[1].writerows(_account_row(p, ctx) for p in pages)
        # Page by page: memory stays bounded by the largest page, whatever the number of pages.
        for page in pages:
            for writer, cols in zip(writers[2:], _simulate(page, ctx), strict=True):
                writer.writerows(zip(*cols, strict=True))
    finally:
        for f in files:
            f.close()
    return paths


# -- National scale -------------------------------------------------------------------------------------------------
# `govpulse demo --scale national`: the demo's Kazakhstan and Altai Krai, plus synthetic rural districts under every
# Kazakh district, and synthetic municipal districts, settlements and institutions under every other Russian region:
# about 100,000 pages, each snapshotted every day. Region names are real (ISO 3166-2:RU); every territory below them
# is invented (names built from common place-name stems), and so are all pages and numbers.

NATIONAL_ACCOUNTS = 100_000
NATIONAL_MONTHS = 12
# Pages simulated and written at a time: memory is bounded by one batch, whatever the number of pages.
NATIONAL_BATCH = 500

# ISO 3166-2:RU code | name_ru | name_en | time zone | population in thousands (rounded); Altai Krai is the demo's own.
_RU_REGIONS = """
AD|Республика Адыгея|Republic of Adygea|Europe/Moscow|500
AL|Республика Алтай|Altai Republic|Asia/Barnaul|210
BA|Республика Башкортостан|Republic of Bashkortostan|Asia/Yekaterinburg|4060
BU|Республика Бурятия|Republic of Buryatia|Asia/Irkutsk|975
CE|Чеченская Республика|Chechen Republic|Europe/Moscow|1510
CU|Чувашская Республика|Chuvash Republic|Europe/Moscow|1190
DA|Республика Дагестан|Republic of Dagestan|Europe/Moscow|3180
IN|Республика Ингушетия|Republic of Ingushetia|Europe/Moscow|510
KB|Кабардино-Балкарская Республика|Kabardino-Balkarian Republic|Europe/Moscow|900
KL|Республика Калмыкия|Republic of Kalmykia|Europe/Moscow|270
KC|Карачаево-Черкесская Республика|Karachay-Cherkess Republic|Europe/Moscow|470
KR|Республика Карелия|Republic of Karelia|Europe/Moscow|530
KK|Республика Хакасия|Republic of Khakassia|Asia/Krasnoyarsk|530
KO|Республика Коми|Komi Republic|Europe/Moscow|730
ME|Республика Марий Эл|Mari El Republic|Europe/Moscow|670
MO|Республика Мордовия|Republic of Mordovia|Europe/Moscow|780
SA|Республика Саха (Якутия)|Sakha (Yakutia) Republic|Asia/Yakutsk|995
SE|Республика Северная Осетия — Алания|Republic of North Ossetia–Alania|Europe/Moscow|680
TA|Республика Татарстан|Republic of Tatarstan|Europe/Moscow|4000
TY|Республика Тыва|Tuva Republic|Asia/Krasnoyarsk|335
UD|Удмуртская Республика|Udmurt Republic|Europe/Samara|1450
KAM|Камчатский край|Kamchatka Krai|Asia/Kamchatka|290
KHA|Хабаровский край|Khabarovsk Krai|Asia/Vladivostok|1280
KDA|Краснодарский край|Krasnodar Krai|Europe/Moscow|5840
KYA|Красноярский край|Krasnoyarsk Krai|Asia/Krasnoyarsk|2850
PER|Пермский край|Perm Krai|Asia/Yekaterinburg|2530
PRI|Приморский край|Primorsky Krai|Asia/Vladivostok|1820
STA|Ставропольский край|Stavropol Krai|Europe/Moscow|2900
ZAB|Забайкальский край|Zabaykalsky Krai|Asia/Chita|1000
AMU|Амурская область|Amur Oblast|Asia/Yakutsk|760
ARK|Архангельская область|Arkhangelsk Oblast|Europe/Moscow|980
AST|Астраханская область|Astrakhan Oblast|Europe/Astrakhan|950
BEL|Белгородская область|Belgorod Oblast|Europe/Moscow|1530
BRY|Брянская область|Bryansk Oblast|Europe/Moscow|1150
CHE|Челябинская область|Chelyabinsk Oblast|Asia/Yekaterinburg|3400
IRK|Иркутская область|Irkutsk Oblast|Asia/Irkutsk|2350
IVA|Ивановская область|Ivanovo Oblast|Europe/Moscow|920
KGD|Калининградская область|Kaliningrad Oblast|Europe/Kaliningrad|1030
KLU|Калужская область|Kaluga Oblast|Europe/Moscow|1070
KEM|Кемеровская область|Kemerovo Oblast|Asia/Novokuznetsk|2570
KIR|Кировская область|Kirov Oblast|Europe/Kirov|1150
KOS|Костромская область|Kostroma Oblast|Europe/Moscow|570
KGN|Курганская область|Kurgan Oblast|Asia/Yekaterinburg|770
KRS|Курская область|Kursk Oblast|Europe/Moscow|1080
LEN|Ленинградская область|Leningrad Oblast|Europe/Moscow|2030
LIP|Липецкая область|Lipetsk Oblast|Europe/Moscow|1130
MAG|Магаданская область|Magadan Oblast|Asia/Magadan|136
MOS|Московская область|Moscow Oblast|Europe/Moscow|8600
MUR|Мурманская область|Murmansk Oblast|Europe/Moscow|660
NIZ|Нижегородская область|Nizhny Novgorod Oblast|Europe/Moscow|3120
NGR|Новгородская область|Novgorod Oblast|Europe/Moscow|580
NVS|Новосибирская область|Novosibirsk Oblast|Asia/Novosibirsk|2790
OMS|Омская область|Omsk Oblast|Asia/Omsk|1830
ORE|Оренбургская область|Orenburg Oblast|Asia/Yekaterinburg|1840
ORL|Орловская область|Oryol Oblast|Europe/Moscow|700
PNZ|Пензенская область|Penza Oblast|Europe/Moscow|1250
PSK|Псковская область|Pskov Oblast|Europe/Moscow|590
ROS|Ростовская область|Rostov Oblast|Europe/Moscow|4150
RYA|Рязанская область|Ryazan Oblast|Europe/Moscow|1080
SAK|Сахалинская область|Sakhalin Oblast|Asia/Sakhalin|460
SAM|Самарская область|Samara Oblast|Europe/Samara|3150
SAR|Саратовская область|Saratov Oblast|Europe/Saratov|2400
SMO|Смоленская область|Smolensk Oblast|Europe/Moscow|880
SVE|Свердловская область|Sverdlovsk Oblast|Asia/Yekaterinburg|4240
TAM|Тамбовская область|Tambov Oblast|Europe/Moscow|960
TOM|Томская область|Tomsk Oblast|Asia/Tomsk|1060
TUL|Тульская область|Tula Oblast|Europe/Moscow|1500
TVE|Тверская область|Tver Oblast|Europe/Moscow|1230
TYU|Тюменская область|Tyumen Oblast|Asia/Yekaterinburg|1600
ULY|Ульяновская область|Ulyanovsk Oblast|Europe/Ulyanovsk|1180
VLA|Владимирская область|Vladimir Oblast|Europe/Moscow|1340
VGG|Волгоградская область|Volgograd Oblast|Europe/Volgograd|2450
VLG|Вологодская область|Vologda Oblast|Europe/Moscow|1130
VOR|Воронежская область|Voronezh Oblast|Europe/Moscow|2300
YAR|Ярославская область|Yaroslavl Oblast|Europe/Moscow|1200
MOW|город Москва|Moscow|Europe/Moscow|13100
SPE|город Санкт-Петербург|Saint Petersburg|Europe/Moscow|5600
YEV|Еврейская автономная область|Jewish Autonomous Oblast|Asia/Vladivostok|150
CHU|Чукотский автономный округ|Chukotka Autonomous Okrug|Asia/Anadyr|48
KHM|Ханты-Мансийский автономный округ — Югра|Khanty-Mansi Autonomous Okrug – Yugra|Asia/Yekaterinburg|1730
NEN|Ненецкий автономный округ|Nenets Autonomous Okrug|Europe/Moscow|42
YAN|Ямало-Ненецкий автономный округ|Yamalo-Nenets Autonomous Okrug|Asia/Yekaterinburg|510
"""
_NATIONAL_GENITIVE = {
    "Республика": "Республики",
    "Северная": "Северная",
    "автономный": "автономного",
    "сельское": "сельского",
    "поселение": "поселения",
    "Москва": "Москвы",
    "Санкт-Петербург": "Санкт-Петербурга",
    "Югра": "Югры",
}
# Pages per synthetic territory: (platform, role key, handle prefix, tier, share of territories that have one).
_RU_SETTLEMENT_INSTITUTIONS = (
    ("education", "school", "Школа", 0.95),
    ("culture", "dk", "Дом культуры", 0.8),
    ("culture", "library", "Библиотека", 0.55),
    ("health", "fap", "Фельдшерско-акушерский пункт", 0.4),
)
_RU_DISTRICT_INSTITUTIONS = (
    ("health", "crb", "Центральная районная больница"),
    ("social", "kcson", "Комплексный центр социального обслуживания населения"),
    ("services", "mfc", "Многофункциональный центр"),
    ("education", "uo", "Управление образования администрации"),
    ("media", "gazeta", "Редакция газеты"),
    ("sport", "sport", "Спортивная школа"),
    ("youth", "youth", "Молодёжный центр"),
    ("culture", "museum", "Краеведческий музей"),
)


def _genitive_national(name_ru: str) -> str:
    """Genitive case of a national territory name (quoted names stay as they are, towns in -ск take -а)."""
    out = []
    for word in name_ru.split(" "):
        if word in _NATIONAL_GENITIVE:
            out.append(_NATIONAL_GENITIVE[word])
        elif word.startswith("«") or word in {"—", "(Якутия)"}:
            out.append(word)
        elif word.endswith("ск"):
            out.append(word + "а")
        else:
            out.append(_genitive(word))
    return " ".join(out)


def _neuter(adjective: str) -> str:
    """Никольский → Никольское, Лесной → Лесное."""
    return adjective[:-2] + "ое"


def _feminine(adjective: str) -> str:
    """Никольский or Никольское → Никольская."""
    return adjective[:-2] + "ая"


def _slug(code: str) -> str:
    """A territory code as a handle part: RU-TVE-NKL-03 → tve_nkl_03."""
    return code.lower().removeprefix("ru-").removeprefix("kz-").replace("-", "_")


def _ru_roots() -> list[str]:
    """Adjective place-name stems for synthetic districts and settlements."""
    words = _ALT_SETTLEMENT_ROOTS.split() + [w for w in _ALT_DISTRICTS.split() if "_" not in w]
    return sorted({w for w in words if w.endswith(("ий", "ый", "ой"))})


def _national_territories(core: tuple[Territory, ...]) -> list[Territory]:
    """The demo's territories, synthetic rural districts under every Kazakh district, the other Russian regions."""
    out = list(core)
    rural_roots = _rows(_KZ_RURAL_ROOTS)
    has_rural = {t.parent_code for t in core if t.level == "settlement"}
    for d in core:
        if d.country != "KZ" or d.level != "district" or d.urban or d.code in has_rural:
            continue
        rng = _fixed_rng(d.code + "/national")
        n = int(rng.integers(8, 17))
        picks = rng.choice(len(rural_roots), n, replace=False)
        for i, (pick, pop) in enumerate(zip(picks, _split_population(int(d.population * 0.8), n, d.code), strict=True)):
            r_ru, r_kk, r_en = rural_roots[pick]
            out.append(
                Territory(
                    f"{d.code}-{i + 1:02d}",
                    f"сельский округ {r_ru}",
                    f"{r_en} Rural District",
                    f"{r_kk} ауылдық округі",
                    "settlement",
                    d.code,
                    pop,
                    d.timezone,
                    "KZ",
                    False,
                )
            )
    roots = _ru_roots()
    cities = [r for r in roots if r.endswith("ский")]
    for code, ru, en, tz, thousands in _rows(_RU_REGIONS):
        population = int(thousands) * 1000
        urban = code in {"MOW", "SPE"}
        region = Territory(f"RU-{code}", ru, en, "", "region", "RU", population, tz, "RU", urban)
        out.append(region)
        rng = _fixed_rng(region.code + "/national")
        n = int(np.clip(round(population / 55_000), 5, 60))
        n_cities = n if urban else max(1, n // 8)
        names = rng.choice(len(roots), n, replace=False)
        city_names = rng.choice(len(cities), n_cities, replace=False)
        taken: set[str] = set()
        pops = _split_population(population, n, region.code, first_share=0.0 if urban else 0.25)
        for i, (pick, pop) in enumerate(zip(names, pops, strict=True)):
            root = roots[pick]
            if urban:
                d_ru, d_en = f"муниципальный округ «{_neuter(root)}»", f"{_translit(_neuter(root))} Municipal Okrug"
            elif i < n_cities:
                city = cities[city_names[i]][:-2]
                d_ru, d_en = f"город {city}", _translit(city)
            else:
                d_ru, d_en = f"{root} район", f"{_translit(root)} District"
            d_code = f"{region.code}-{_abbr(d_en, taken)}"
            is_city = urban or i < n_cities
            district = Territory(d_code, d_ru, d_en, "", "district", region.code, pop, tz, "RU", is_city)
            out.append(district)
            if is_city:
                continue
            d_rng = _fixed_rng(d_code + "/national")
            k = int(d_rng.integers(4, 15))
            s_pops = _split_population(int(pop * 0.9), k, d_code, first_share=0.3)
            for j, (s_pick, s_pop) in enumerate(zip(d_rng.choice(len(roots), k, replace=False), s_pops, strict=True)):
                s_root = _neuter(roots[s_pick])
                out.append(
                    Territory(
                        f"{d_code}-{j + 1:02d}",
                        f"сельское поселение «{s_root}»",
                        f"{_translit(s_root)} Rural Settlement",
                        "",
                        "settlement",
                        d_code,
                        s_pop,
                        tz,
                        "RU",
                        False,
                    )
                )
    return out


def _marked(rng: np.random.Generator, share: float) -> str:
    """An official mark granted in 2023–2024 to `share` of pages, else none."""
    return _date_between(rng, "2023-01-15", "2024-06-30").isoformat() if rng.random() < share else "0"


def _ru_national_pages(reg: _Registry, territories: list[Territory]) -> None:
    """Pages of the synthetic Russian territories: heads, governments, administrations, settlements, institutions."""
    by_code = {t.code: t for t in territories}
    for t in territories:
        if t.country != "RU" or t.level == "country" or t.code.startswith("RU-ALT"):
            continue
        rng = _fixed_rng(t.code + "/national-pages")
        g, s = _genitive_national(t.name_ru), _slug(t.code)
        pages: list[tuple[str, str, str, str, str, dt.date, dict[str, Any]]] = []
        if t.level == "region":
            title = "Глава" if "Республик" in t.name_ru else "Мэр" if t.code == "RU-MOW" else "Губернатор"
            head = dict(owner_kind="person", owner_role="head", owner_name=f"{title} {g}", sphere="", required=0)
            body = dict(owner_kind="body", owner_role="body", owner_name=f"Правительство {g}", sphere="", required=1)
            for role, prefix, tier, traits in (
                ("head", "head", "ru_governor", head),
                ("body", "gov", "ru_government", body),
            ):
                for platform in ("vk", "ok", "telegram"):
                    mark = "0" if platform == "telegram" else _marked(rng, 0.95)
                    created = _date_between(rng, "2012-01-01", "2019-12-31")
                    pages.append((platform, role, f"{prefix}_{s}", tier, mark, created, traits))
        elif t.level == "district":
            owner = f"Администрация {g}"
            body = dict(owner_kind="body", owner_role="body", owner_name=owner, sphere="", required=1)
            for platform, share in (("vk", 1.0), ("ok", 0.7)):
                if rng.random() < share:
                    created = _date_between(rng, "2013-01-01", "2022-12-31")
                    pages.append((platform, "body", f"adm_{s}", "ru_district", _marked(rng, 0.9), created, body))
            if rng.random() < 0.6:
                head = dict(owner_kind="person", owner_role="head", owner_name=f"Глава {g}", sphere="", required=0)
                created = _date_between(rng, "2016-01-01", "2022-12-31")
                pages.append(("vk", "head", f"glava_{s}", "ru_district_head", _marked(rng, 0.5), created, head))
            schools = int(np.clip(t.population // 6_000, 2, 30)) if t.urban else int(rng.integers(2, 6))
            spheres = [(sp, key, name) for sp, key, name in _RU_DISTRICT_INSTITUTIONS if rng.random() < 0.8]
            spheres += [("education", f"school{n}", f"Средняя школа № {n}") for n in range(1, schools + 1)]
            for sphere, key, name in spheres:
                traits = dict(owner_kind="body", owner_role="institution", owner_name=f"{name} {g}", sphere=sphere)
                platform = "ok" if rng.random() < 0.15 else "vk"
                created = _date_between(rng, "2013-01-01", "2022-12-31")
                pages.append((platform, key, f"{key}_{s}", "ru_institution", _marked(rng, 0.5), created, traits))
        else:
            owner = f"Администрация {g}"
            body = dict(owner_kind="body", owner_role="body", owner_name=owner, sphere="", required=1)
            for platform, share in (("vk", 1.0), ("ok", 0.35)):
                if rng.random() < share:
                    created = _date_between(rng, "2022-06-01", "2023-01-31")
                    pages.append((platform, "body", f"adm_{s}", "ru_municipality", _marked(rng, 0.75), created, body))
            village = t.name_ru.split("«")[1].rstrip("»")
            district = _genitive_national(by_code[t.parent_code].name_ru)
            for sphere, key, name, share in _RU_SETTLEMENT_INSTITUTIONS:
                if rng.random() >= share:
                    continue
                owner = f"МБОУ «{_feminine(village)} СОШ» {district}" if key == "school" else f"{name} {g}"
                traits = dict(owner_kind="body", owner_role="institution", owner_name=owner, sphere=sphere)
                created = _date_between(rng, "2015-01-01", "2023-06-30")
                pages.append(("vk", key, f"{key}_{s}", "ru_institution", _marked(rng, 0.5), created, traits))
        for platform, role, handle, tier, mark, created, traits in pages:
            reg.add(
                platform,
                f"{t.code}/{role}",
                reg.handle(platform, handle, "ru"),
                t,
                display_name=str(traits["owner_name"]),
                mark=mark,
                created=created,
                tier=tier,
                **{"required": 1, **traits},
            )


def _kz_national_pages(reg: _Registry, territories: list[Territory], core: set[str]) -> None:
    """Rural akims and village schools of the synthetic Kazakh rural districts."""
    by_code = {t.code: t for t in territories}
    for t in territories:
        if t.country != "KZ" or t.level != "settlement" or t.code in core:
            continue
        rng = _fixed_rng(t.code + "/national-pages")
        g, district = t.genitive, by_code[t.parent_code]
        root = _stem(t.name_en)
        reg.add(
            "instagram",
            f"{t.code}/head",
            reg.handle("instagram", f"{root}_auyl_akimi", district.stem),
            t,
            display_name=f"Аким {g}",
            owner_kind="person",
            owner_role="head",
            owner_name=f"Аким {g}",
            sphere="",
            required=1,
            mark="0",
            created=_date_between(rng, "2019-04-01", "2021-12-31"),
            tier="kz_rural_head",
        )
        if rng.random() < 0.8:
            owner = f"Средняя школа {g}"
            reg.add(
                "instagram",
                f"{t.code}/education",
                reg.handle("instagram", f"{root}_mektebi", _slug(t.code)),
                t,
                display_name=owner,
                owner_kind="body",
                owner_role="institution",
                owner_name=owner,
                sphere="education",
                required=0,
                mark="0",
                created=_date_between(rng, "2017-01-01", "2022-12-31"),
                tier="kz_institution",
            )


@cache
def _national_registry() -> tuple[tuple[Territory, ...], tuple[Page, ...]]:
    """All territories and pages of the national scale: the demo's first, then the synthetic ones."""
    core_territories, core_pages = _registry()
    territories = _national_territories(core_territories)
    reg = _Registry()
    reg.pages = list(core_pages)
    reg.ids = {(p.platform, p.account_id) for p in core_pages}
    reg.handles = {(p.platform, h) for p in core_pages for h in (p.handle, p.old_handle) if h}
    _kz_national_pages(reg, territories, {t.code for t in core_territories})
    _ru_national_pages(reg, territories)
    return tuple(territories), tuple(reg.pages)


def national_pages(accounts: int = NATIONAL_ACCOUNTS) -> tuple[Page, ...]:
    """`accounts` pages of the national registry, spread over it (chosen by a hash of their ids), in registry order."""
    _, pages = _national_registry()
    if accounts >= len(pages):
        return pages
    rank = np.array([zlib.crc32(f"{p.platform}:{p.account_id}".encode()) for p in pages], dtype=np.int64) * len(
        pages
    ) + np.arange(len(pages))
    keep = np.sort(np.argsort(rank, kind="stable")[:accounts])
    return tuple(pages[i] for i in keep.tolist())


def _settled(page: Page, ctx: _Context) -> Page:
    """The page as it is at national scale: created before the period, so that it has a snapshot every day."""
    if _day(page.created) >= ctx.start_day - 1:
        page = replace(page, created=_date(ctx.start_day - 30 - zlib.crc32(page.account_id.encode()) % 700))
    if page.story == "new_akim" or page.recent_days:
        page = replace(page, story="" if page.story == "new_akim" else page.story, recent_days=0)
    return page


_NATIONAL_README = """# Synthetic national-scale data (govpulse demo --scale national)

Every row in these files is SYNTHETIC, generated by `govpulse demo --scale national` (seed {seed}, {start} to {end},
{accounts:,} pages). Kazakhstan's regions and districts and Russia's region names are real; every rural district,
municipal district, settlement, institution, page, handle, id and number is invented. Pages are named after offices
(«Аким …», «Администрация …»), never after people. Do not publish these numbers as facts about any real page.
"""


def write_national(
    out_dir: Path,
    *,
    seed: int = 2019,
    end: dt.date | None = None,
    months: int = NATIONAL_MONTHS,
    accounts: int = NATIONAL_ACCOUNTS,
    only_day: dt.date | None = None,
    batch: int = NATIONAL_BATCH,
) -> list[Path]:
    """Write the national-scale CSV files (a stream: one batch of pages in memory at a time); return their paths.

    Every page has one follower snapshot a day, so followers.csv holds exactly accounts × days rows. With `only_day`
    the data set ends that day and only that day's rows are written (followers, posts, inquiries): a daily delivery.
    """
    end = only_day or end or dt.date.today() - dt.timedelta(days=1)
    start = _months_before(end, months)
    start_day, end_day = _day(start), _day(end)
    outage = np.zeros(end_day - start_day + 1, dtype=bool)
    calendars = {c: _Calendar(c, start_day, end_day) for c in ("KZ", "RU")}
    ctx = _Context(seed, start_day, end_day, outage, calendars, every_day=True)
    territories, _ = _national_registry()
    pages = [_settled(p, ctx) for p in national_pages(accounts)]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    kinds = KINDS[2:] if only_day else KINDS
    paths = [out_dir / f"{kind}.csv" for kind in kinds]
    day = end.isoformat()
    files = [p.open("w", encoding="utf-8", newline="") for p in paths]
    try:
        writers = dict(zip(kinds, (csv.writer(f, lineterminator="\n") for f in files), strict=True))
        for kind, writer in writers.items():
            writer.writerow(HEADERS[kind])
        if not only_day:
            writers["territories"].writerows(_territory_row(t) for t in territories)
            writers["accounts"].writerows(_account_row(p, ctx) for p in pages)
        for i in range(0, len(pages), batch):
            blocks: dict[str, list[list[Any]]] = {k: [[] for _ in HEADERS[k]] for k in KINDS[2:]}
            for page in pages[i : i + batch]:
                for kind, cols in zip(KINDS[2:], _simulate(page, ctx), strict=True):
                    # Rows come in time order (date, published_at, received_at): one day is a tail of each.
                    first = 0
                    if only_day:
                        at = HEADERS[kind].index(
                            {"followers": "date", "posts": "published_at"}.get(kind, "received_at")
                        )
                        first = bisect.bisect_left(cols[at], day)
                    for block, col in zip(blocks[kind], cols, strict=True):
                        block.extend(col[first:])
            for kind in KINDS[2:]:
                writers[kind].writerows(zip(*blocks[kind], strict=True))
    finally:
        for f in files:
            f.close()
    if not only_day:
        readme = _NATIONAL_README.format(seed=seed, start=start, end=end, accounts=len(pages))
        (out_dir / "README.md").write_text(readme, encoding="utf-8")
    return paths
