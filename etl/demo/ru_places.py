"""Altai Krai's cities, districts and settlement name stems, and the regions of Russia."""

# Altai Krai: city okrugs with populations, then the 59 municipal districts (okrugs).
ALT_CITIES = """
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
ALT_DISTRICTS = """
Алейский Баевский Бийский Благовещенский Бурлинский Быстроистокский Волчихинский Егорьевский Ельцовский
Завьяловский Залесовский Заринский Змеиногорский Зональный Калманский Каменский Ключевский Косихинский
Красногорский Краснощёковский Крутихинский Кулундинский Курьинский Кытмановский Локтевский Мамонтовский
Михайловский Немецкий_национальный Новичихинский Павловский Панкрушихинский Первомайский Петропавловский
Поспелихинский Ребрихинский Родинский Романовский Рубцовский Смоленский Советский Солонешенский Солтонский
Суетский Табунский Тальменский Тогульский Топчихинский Третьяковский Троицкий Тюменцевский Угловский
Усть-Калманский Усть-Пристанский Хабарский Целинный Чарышский Шелаболихинский Шипуновский Алтайский
"""
ALT_SETTLEMENT_ROOTS = """
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
ALT_SETTLEMENTS = 639
ALT_MARKED = 479
TRAINING_DISTRICT = "Тальменский"


# ISO 3166-2:RU code | name_ru | name_en | time zone | population in thousands (rounded); Altai Krai is the demo's own.
RU_REGIONS = """
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
