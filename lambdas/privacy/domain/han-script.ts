/**
 * Frequent characters that Simplified and Traditional Chinese write differently, as pairs (Simplified
 * then Traditional) from the standard simplification tables (通用规范汉字表 / 國字標準字體). Only
 * pairs where neither form is also written by the other standard are listed: 后/後 is not (皇后 is
 * Traditional too), nor 于/於, 里/裡, 只/隻, 台/臺, 干/乾, 着/著, 复/復.
 */
const PAIRS =
  '们們个個这這请請资資删刪帐帳账賬号號为為说說时時对對会會来來过過还還么麼发發问問间間关關与與数數据據门門见見让讓认認' +
  '识識语語读讀写寫应應该該从從众眾网網络絡电電邮郵户戶处處务務录錄长長东東车車书書实實现現经經给給进進话話国國学學开開' +
  '无無样樣种種点點动動产產员員机機质質条條体體级級报報设設证證览覽订訂购購单單费費财財顺順谢謝将將马馬鱼魚鸟鳥陈陳华華' +
  '龙龍义義乐樂头頭亲親觉覺观觀视視规規记記讲講计計论論词詞试試询詢谈談诉訴调調谁誰议議变變页頁题題颜顏风風飞飛码碼确確' +
  '线線组組结結统統续續维維终終绍紹红紅约約纸紙练練细細织織罗羅联聯职職听聽脑腦补補装裝杂雜难難须須顾顧领領预預销銷钱錢' +
  '银銀错錯键鍵镜鏡闭閉阅閱队隊阳陽际際陆陸险險随隨隐隱齐齊岁歲历歷压壓厅廳厂廠严嚴丽麗举舉买買乱亂争爭云雲亚亞亿億仅僅' +
  '仓倉仪儀价價优優传傳伤傷伦倫伪偽侧側债債倾傾偿償储儲儿兒党黨兴興养養军軍农農冲衝决決况況净淨凉涼减減凤鳳凭憑击擊划劃' +
  '刘劉则則刚剛创創别別剂劑剑劍剧劇劝勸办辦励勵劲勁劳勞势勢区區医醫协協卖賣卫衛却卻厉厲县縣参參双雙叶葉叹嘆吗嗎启啟' +
  '吴吳响響唤喚团團园園围圍图圖圆圓圣聖场場坏壞块塊坚堅坛壇态態总總恶惡悬懸惊驚惯慣戏戲战戰扑撲执執扩擴扫掃扬揚扰擾' +
  '护護报報担擔拟擬拥擁择擇挂掛挡擋挤擠挥揮损損换換据據掷擲搁擱摄攝摆擺摇搖敌敵旧舊显顯晓曉晕暈暂暫术術杀殺权權' +
  '极極构構枪槍标標栏欄树樹档檔桥橋梦夢检檢欢歡气氣汇匯汉漢没沒沟溝泪淚泽澤洁潔浅淺测測济濟浏瀏涨漲温溫湾灣满滿' +
  '滚滾灭滅灯燈灵靈炉爐烟煙热熱烦煩烧燒爱愛牵牽状狀独獨狮獅献獻环環现現琐瑣画畫畅暢疗療痒癢盖蓋盘盤睁睜矿礦' +
  '码碼砖磚础礎确確离離种種积積称稱稳穩窃竊竞競笔筆笋筍签簽简簡类類粮糧紧緊纠糾红紅纪紀纳納纯純纲綱纵縱纷紛' +
  '网網罚罰罢罷职職胁脅胜勝脏髒脚腳脸臉舍捨艺藝节節苏蘇药藥获獲虑慮虽雖蚁蟻蛮蠻补補衬襯袭襲览覽觅覓誉譽讨討' +
  '让讓训訓记記许許设設访訪证證评評识識诊診译譯试試诗詩诚誠误誤说說请請读讀课課谊誼谋謀谓謂谜謎谢謝谨謹谱譜' +
  '贝貝负負贡貢财財责責败敗货貨质質贩販贫貧购購贯貫贴貼贵貴贷貸贸貿费費资資赏賞赔賠赖賴赚賺赛賽赞贊赶趕' +
  '跃躍踪蹤轮輪软軟转轉轻輕载載较較辆輛辈輩辑輯输輸辞辭边邊辽遼达達迁遷运運还還这這进進远遠违違连連迟遲' +
  '适適选選递遞逻邏遗遺邻鄰酱醬释釋钟鐘钢鋼钥鑰钩鉤铁鐵铃鈴银銀链鏈锁鎖锅鍋镇鎮问問闯闖闻聞阵陣阶階陕陝' +
  '隶隸难難雾霧韩韓顶頂项項顺順须須顽頑顿頓颁頒颂頌频頻颗顆额額饥饑饭飯饮飲饰飾饱飽馆館驱驅驶駛驾駕验驗' +
  '骂罵骑騎骗騙鸡雞鸣鳴麦麥黄黃龄齡';

const SIMPLIFIED_ONLY = new Set<string>();
const TRADITIONAL_ONLY = new Set<string>();
for (let i = 0; i + 1 < PAIRS.length; i += 2) {
  SIMPLIFIED_ONLY.add(PAIRS[i]!);
  TRADITIONAL_ONLY.add(PAIRS[i + 1]!);
}

/**
 * The Chinese script a text is written in: Traditional (`Hant`) when it holds more characters only
 * Traditional writes than characters only Simplified writes, Simplified (`Hans`) otherwise — a text
 * of characters both write alike reads as Simplified, the more widely written.
 */
export function chineseScriptOf(text: string): 'Hans' | 'Hant' {
  let simplified = 0;
  let traditional = 0;
  for (const char of text) {
    if (SIMPLIFIED_ONLY.has(char)) simplified++;
    else if (TRADITIONAL_ONLY.has(char)) traditional++;
  }
  return traditional > simplified ? 'Hant' : 'Hans';
}

/** A letter's language with its script where the language is written in two: Chinese in Traditional characters is `zh-Hant`. */
export function withScript(language: string, text: string): string {
  return language === 'zh' && chineseScriptOf(text) === 'Hant' ? 'zh-Hant' : language;
}
