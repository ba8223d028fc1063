"""Kazakhstan's regions, districts and the stems of its rural district names."""

# code | name_ru | name_en | name_kk | timezone | population
KZ_REGIONS = """
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
KZ_DISTRICTS = {
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
KZ_RURAL = {
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
KZ_RURAL_ROOTS = """
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
