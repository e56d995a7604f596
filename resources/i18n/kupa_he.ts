<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="he_IL">
    <context>
        <name>CartModel</name>
        <message>
            <location filename="../../ui/cart_model.py" line="115" />
            <source>{0} free</source>
            <translation>{0} חינם</translation>
        </message>
    </context>
    <context>
        <name>CheckoutScreen</name>
        <message>
            <location filename="../../ui/checkout_screen.py" line="123" />
            <source>Search products by name, SKU or barcode (F2)</source>
            <translation>חיפוש מוצר לפי שם, מק"ט או ברקוד (F2)</translation>
        </message>
        <message>
            <location filename="../../ui/checkout_screen.py" line="124" />
            <source>Add</source>
            <translation>הוסף</translation>
        </message>
        <message>
            <location filename="../../ui/checkout_screen.py" line="124" />
            <source>Qty + (F5)</source>
            <translation>כמות + (F5)</translation>
        </message>
        <message>
            <location filename="../../ui/checkout_screen.py" line="125" />
            <source>Qty − (F6)</source>
            <translation>כמות − (F6)</translation>
        </message>
        <message>
            <location filename="../../ui/checkout_screen.py" line="125" />
            <source>Remove line (F7)</source>
            <translation>הסרת שורה (F7)</translation>
        </message>
        <message>
            <location filename="../../ui/checkout_screen.py" line="126" />
            <source>Void sale (Ctrl+Del)</source>
            <translation>ביטול מכירה (Ctrl+Del)</translation>
        </message>
        <message>
            <location filename="../../ui/checkout_screen.py" line="126" />
            <source>Park (F8)</source>
            <translation>השהיה (F8)</translation>
        </message>
        <message>
            <location filename="../../ui/checkout_screen.py" line="127" />
            <source>Resume (Shift+F8)</source>
            <translation>המשך מכירה (Shift+F8)</translation>
        </message>
        <message>
            <location filename="../../ui/checkout_screen.py" line="128" />
            <source>Complete sale (F12)</source>
            <translation>סיום מכירה (F12)</translation>
        </message>
        <message>
            <location filename="../../ui/checkout_screen.py" line="183" />
            <source>No product matches '{0}'</source>
            <translation>אין מוצר התואם '{0}'</translation>
        </message>
        <message>
            <location filename="../../ui/checkout_screen.py" line="193" />
            <source>{0} products match: pick one from the list</source>
            <translation>{0} מוצרים תואמים: בחרו מהרשימה</translation>
        </message>
    </context>
    <context>
        <name>EnrolDialog</name>
        <message>
            <location filename="../../ui/dialogs.py" line="32" />
            <source>Enrol a member</source>
            <translation>צירוף חבר מועדון</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="39" />
            <source>not given</source>
            <translation>לא צוין</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="46" />
            <source>Print card (Ctrl+P)</source>
            <translation>הדפסת כרטיס (Ctrl+P)</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="51" />
            <source>Enrol</source>
            <translation>הצטרפות</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="55" />
            <source>Name</source>
            <translation>שם</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="56" />
            <source>Phone</source>
            <translation>טלפון</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="57" />
            <source>Birthday</source>
            <translation>יום הולדת</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="88" />
            <source>Done</source>
            <translation>סיום</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="91" />
            <source>{0} enrolled as {1}: {2} welcome points. Hand over the card.</source>
            <translation>{0} הצטרף/ה כ-{1}: {2} נקודות הצטרפות. מסרו את הכרטיס.</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="93" />
            <source>Issued</source>
            <translation>הונפק</translation>
        </message>
        <message>
            <source>&amp;Birthday</source>
            <translation>&amp;יום הולדת</translation>
        </message>
        <message>
            <source>&amp;Name</source>
            <translation>&amp;שם</translation>
        </message>
        <message>
            <source>&amp;Phone</source>
            <translation>&amp;טלפון</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>ביטול</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <location filename="../../ui/main_window.py" line="89" />
            <source>Something went wrong; the sale is unchanged. Details are in the log.</source>
            <translation>משהו השתבש; המכירה לא השתנתה. הפרטים ביומן.</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="105" />
            <source>Kupa — {0}</source>
            <translation>קופה — {0}</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="106" />
            <source>עברית / English (Ctrl+Shift+L)</source>
            <translation>English / עברית (Ctrl+Shift+L)</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="108" />
            <source>Lock (Ctrl+L)</source>
            <translation>נעילה (Ctrl+L)</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="110" />
            <source>Sign out</source>
            <translation>יציאה</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="111" />
            <source>Local only</source>
            <translation>מקומי בלבד</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="113" />
            <source>Cashier: {0}</source>
            <translation>קופאי: {0}</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="113" />
            <source>Signed out</source>
            <translation>לא מחובר</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="122" />
            <source>{0} entries waiting for HQ</source>
            <translation>{0} רשומות ממתינות למטה</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="189" />
            <source>Park sale</source>
            <translation>השהיית מכירה</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="189" />
            <source>Label (e.g. the customer's name)</source>
            <translation>תווית (למשל שם הלקוח)</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="192" />
            <source>Parked sale</source>
            <translation>מכירה מושהית</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="197" />
            <source>No parked sales</source>
            <translation>אין מכירות ממתינות</translation>
        </message>
    </context>
    <context>
        <name>MemberPanel</name>
        <message>
            <location filename="../../ui/member_panel.py" line="95" />
            <source>Member</source>
            <translation>חבר מועדון</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="96" />
            <source>Card, phone or member id</source>
            <translation>כרטיס, טלפון או מספר חבר</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="97" />
            <source>Find (F3)</source>
            <translation>חיפוש (F3)</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="98" />
            <source>Remove member</source>
            <translation>הסרת חבר</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="99" />
            <source>Enrol (F4)</source>
            <translation>הצטרפות (F4)</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="113" />
            <source>No member on this sale</source>
            <translation>אין חבר מועדון במכירה</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="126" />
            <source>{0} points</source>
            <translation>{0} נקודות</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="136" />
            <source>{0} until {1}</source>
            <translation>{0} עד {1}</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="139" />
            <source>★ Birthday month</source>
            <translation>★ חודש יום הולדת</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="142" />
            <source>{0} more to {1}</source>
            <translation>עוד {0} ל{1}</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="145" />
            <source>Top tier</source>
            <translation>הדרגה הגבוהה ביותר</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="147" />
            <source>Card scanned: points can be spent</source>
            <translation>הכרטיס נסרק: אפשר לממש נקודות</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="149" />
            <source>Found without the card: scan the card to spend points</source>
            <translation>זוהה ללא כרטיס: סרקו את הכרטיס כדי לממש נקודות</translation>
        </message>
        <message>
            <source>Spending allowed by {0}</source>
            <translation>המימוש אושר על ידי {0}</translation>
        </message>
    </context>
    <context>
        <name>ParkedDialog</name>
        <message>
            <location filename="../../ui/dialogs.py" line="123" />
            <source>Parked sales</source>
            <translation>מכירות מושהות</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="127" />
            <source>no member</source>
            <translation>ללא חבר</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="128" />
            <source>{0} — {1} items, {2} ({3})</source>
            <translation>{0} — {1} פריטים, {2} ({3})</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="134" />
            <source>Resume</source>
            <translation>המשך</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>ביטול</translation>
        </message>
    </context>
    <context>
        <name>ReceiptDialog</name>
        <message>
            <location filename="../../ui/receipt.py" line="96" />
            <source>Receipt</source>
            <translation>קבלה</translation>
        </message>
        <message>
            <location filename="../../ui/receipt.py" line="100" />
            <source>Print (Ctrl+P)</source>
            <translation>הדפסה (Ctrl+P)</translation>
        </message>
        <message>
            <location filename="../../ui/receipt.py" line="102" />
            <source>Save as PDF (Ctrl+S)</source>
            <translation>שמירה כ-PDF (Ctrl+S)</translation>
        </message>
        <message>
            <location filename="../../ui/receipt.py" line="104" />
            <source>New sale (Enter)</source>
            <translation>מכירה חדשה (Enter)</translation>
        </message>
        <message>
            <location filename="../../ui/receipt.py" line="125" />
            <source>Save receipt</source>
            <translation>שמירת קבלה</translation>
        </message>
    </context>
    <context>
        <name>RewardsPanel</name>
        <message>
            <location filename="../../ui/rewards_panel.py" line="85" />
            <source>Rewards and totals</source>
            <translation>הטבות וסיכום</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="86" />
            <source>&amp;Redeem points (Alt+R)</source>
            <translation>&amp;מימוש נקודות (Alt+R)</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="87" />
            <source>Subtotal</source>
            <translation>סכום ביניים</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="87" />
            <source>Discounts</source>
            <translation>הנחות</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="87" />
            <source>Points redeemed</source>
            <translation>נקודות שמומשו</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="88" />
            <source>Points earned</source>
            <translation>נקודות שנצברו</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="88" />
            <source>Balance after</source>
            <translation>יתרה אחרי</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="89" />
            <source>To pay</source>
            <translation>לתשלום</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="106" />
            <source>{0} (−{1})</source>
            <translation>{0} (‎−{1})</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="117" />
            <source>No redemption</source>
            <translation>ללא מימוש</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="122" />
            <source>Nothing to redeem: {0}</source>
            <translation>אין מה לממש: {0}</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="128" />
            <source>{0} points</source>
            <translation>{0} נקודות</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="129" />
            <source>Up to {0} points ({1})</source>
            <translation>עד {0} נקודות ({1})</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="151" />
            <source>Free item from the {0} (Alt+F)</source>
            <translation>פריט חינם מ{0} (Alt+F)</translation>
        </message>
        <message>
            <source>Manager allows spending (Ctrl+M)</source>
            <translation>מנהל מאשר מימוש (Ctrl+M)</translation>
        </message>
        <message>
            <source>Scan the member's card or ask a manager to allow spending</source>
            <translation>סרקו את כרטיס החבר או בקשו ממנהל לאשר מימוש</translation>
        </message>
        <message>
            <source>&amp;Redeem (Alt+R)</source>
            <translation>&amp;מימוש (Alt+R)</translation>
        </message>
    </context>
    <context>
        <name>SignInScreen</name>
        <message>
            <location filename="../../ui/signin.py" line="60" />
            <source>Enter your PIN</source>
            <translation>הקישו את הקוד האישי</translation>
        </message>
        <message>
            <location filename="../../ui/signin.py" line="61" />
            <source>Clear</source>
            <translation>נקה</translation>
        </message>
        <message>
            <location filename="../../ui/signin.py" line="62" />
            <source>Sign in</source>
            <translation>כניסה</translation>
        </message>
    </context>
    <context>
        <name>CartModel</name>
        <message>
            <source>Item</source>
            <translation>פריט</translation>
        </message>
        <message>
            <source>Qty</source>
            <translation>כמות</translation>
        </message>
        <message>
            <source>Price</source>
            <translation>מחיר</translation>
        </message>
        <message>
            <source>Discount</source>
            <translation>הנחה</translation>
        </message>
        <message>
            <source>Total</source>
            <translation>סה"כ</translation>
        </message>
    </context>
    <context>
        <name>Sale</name>
        <message>
            <source>The cart is empty: add a product first</source>
            <translation>העגלה ריקה: הוסיפו מוצר</translation>
        </message>
        <message>
            <source>Nothing to park</source>
            <translation>אין מה להשהות</translation>
        </message>
        <message>
            <source>Sale parked</source>
            <translation>המכירה הושהתה</translation>
        </message>
        <message>
            <source>Park or void the current sale first</source>
            <translation>השהו או בטלו קודם את המכירה הנוכחית</translation>
        </message>
        <message>
            <source>Identify the member first</source>
            <translation>זהו קודם את החבר</translation>
        </message>
        <message>
            <source>{0} allowed spending points on this sale</source>
            <translation>{0} אישר/ה מימוש נקודות במכירה זו</translation>
        </message>
    </context>
    <context>
        <name>Receipt</name>
        <message>
            <source>Discount</source>
            <translation>הנחה</translation>
        </message>
        <message>
            <source>Subtotal</source>
            <translation>סכום ביניים</translation>
        </message>
        <message>
            <source>Discounts</source>
            <translation>הנחות</translation>
        </message>
        <message>
            <source>Points redeemed: {0}</source>
            <translation>נקודות שמומשו: {0}</translation>
        </message>
        <message>
            <source>Total</source>
            <translation>סה"כ</translation>
        </message>
        <message>
            <source>Member: {0} ({1})</source>
            <translation>חבר מועדון: {0} ({1})</translation>
        </message>
        <message>
            <source>Points earned: {0}</source>
            <translation>נקודות שנצברו: {0}</translation>
        </message>
        <message>
            <source>Points balance: {0}</source>
            <translation>יתרת נקודות: {0}</translation>
        </message>
        <message>
            <source>{0}: +{1} stamps</source>
            <translation>{0}: +{1} חותמות</translation>
        </message>
        <message>
            <source>{0}: free item ({1} stamps used)</source>
            <translation>{0}: פריט חינם ({1} חותמות נוצלו)</translation>
        </message>
        <message>
            <source>Cashier: {0}</source>
            <translation>קופאי: {0}</translation>
        </message>
        <message>
            <source>Sale {0}</source>
            <translation>מכירה {0}</translation>
        </message>
        <message>
            <source>Thank you!</source>
            <translation>תודה רבה!</translation>
        </message>
    </context>
    <context>
        <name>CoreMessage</name>
        <message>
            <source>Unknown product '{0}'</source>
            <translation>מוצר לא מוכר '{0}'</translation>
        </message>
        <message>
            <source>No member found for '{0}'</source>
            <translation>לא נמצא חבר עבור '{0}'</translation>
        </message>
        <message>
            <source>No member with id {0}</source>
            <translation>אין חבר עם מספר {0}</translation>
        </message>
        <message>
            <source>Not a valid member card ({0})</source>
            <translation>כרטיס חבר לא תקף ({0})</translation>
        </message>
        <message>
            <source>A member with phone {0} already exists</source>
            <translation>כבר קיים חבר עם הטלפון {0}</translation>
        </message>
        <message>
            <source>'{0}' is not a phone number</source>
            <translation>'{0}' אינו מספר טלפון</translation>
        </message>
        <message>
            <source>{0}: {1} of {2} stamps, no free item yet</source>
            <translation>{0}: {1} מתוך {2} חותמות, עדיין אין פריט חינם</translation>
        </message>
        <message>
            <source>Wrong PIN</source>
            <translation>קוד שגוי</translation>
        </message>
        <message>
            <source>Wrong manager PIN</source>
            <translation>קוד מנהל שגוי</translation>
        </message>
        <message>
            <source>The basket is empty</source>
            <translation>הסל ריק</translation>
        </message>
        <message>
            <source>Spending points needs the member's card (scan the QR code) or a manager PIN</source>
            <translation>מימוש נקודות דורש את כרטיס החבר (סריקת QR) או קוד מנהל</translation>
        </message>
        <message>
            <source>A punch-card reward needs the member's card (scan the QR code) or a manager PIN</source>
            <translation>הטבת כרטיסייה דורשת את כרטיס החבר (סריקת QR) או קוד מנהל</translation>
        </message>
        <message>
            <source>Enter the member's name</source>
            <translation>הזינו את שם החבר</translation>
        </message>
        <message>
            <source>That code is not a product or a member card</source>
            <translation>הקוד אינו מוצר או כרטיס חבר</translation>
        </message>
        <message>
            <source>The birthday must be a real date in the past</source>
            <translation>יום ההולדת חייב להיות תאריך אמיתי בעבר</translation>
        </message>
        <message>
            <source>Redeeming points needs a member</source>
            <translation>מימוש נקודות דורש חבר מועדון</translation>
        </message>
        <message>
            <source>This program has no points redemption</source>
            <translation>בתוכנית זו אין מימוש נקודות</translation>
        </message>
        <message>
            <source>A PIN is 4 to 12 digits</source>
            <translation>קוד הוא 4 עד 12 ספרות</translation>
        </message>
        <message>
            <source>Cannot redeem {0} points</source>
            <translation>אי אפשר לממש {0} נקודות</translation>
        </message>
        <message>
            <source>Several members share that phone number: scan the card or use the member id</source>
            <translation>כמה חברים רשומים עם הטלפון הזה: סרקו את הכרטיס או השתמשו במספר החבר</translation>
        </message>
        <message>
            <source>below the smallest redemption</source>
            <translation>פחות מהמימוש המינימלי</translation>
        </message>
        <message>
            <source>more than the member's balance</source>
            <translation>יותר מיתרת החבר</translation>
        </message>
        <message>
            <source>no points can be redeemed on this sale</source>
            <translation>אין אפשרות לממש נקודות במכירה זו</translation>
        </message>
        <message>
            <source>not a multiple of the redemption step</source>
            <translation>לא בכפולות של צעד המימוש</translation>
        </message>
        <message>
            <source>over the offline daily limit</source>
            <translation>מעל המגבלה היומית במצב לא מקוון</translation>
        </message>
        <message>
            <source>points may pay only part of the eligible items</source>
            <translation>נקודות יכולות לשלם רק חלק מהפריטים הזכאים</translation>
        </message>
        <message>
            <source>the most allowed on this sale is {0} points</source>
            <translation>המקסימום במכירה זו הוא {0} נקודות</translation>
        </message>
    </context>
    <context>
        <name>Explain</name>
        <message>
            <source>(excluded from the program)</source>
            <translation>(לא כלול בתוכנית)</translation>
        </message>
        <message>
            <source>(membership fee)</source>
            <translation>(דמי מנוי)</translation>
        </message>
        <message>
            <source>First purchase of a referred member: +{0} points</source>
            <translation>רכישה ראשונה של חבר שהופנה: +{0} נקודות</translation>
        </message>
        <message>
            <source>Happy birthday: +{0} points</source>
            <translation>יום הולדת שמח: +{0} נקודות</translation>
        </message>
        <message>
            <source>Member</source>
            <translation>חבר מועדון</translation>
        </message>
        <message>
            <source>Points balance after this sale: {0}</source>
            <translation>יתרת נקודות אחרי המכירה: {0}</translation>
        </message>
        <message>
            <source>Points earned: {0} paid on eligible items at {1}</source>
            <translation>נקודות שנצברו: {0} שולמו על פריטים זכאים, לפי {1}</translation>
        </message>
        <message>
            <source>Redeemed {0} points = −{1}</source>
            <translation>מומשו {0} נקודות = ‎−{1}</translation>
        </message>
        <message>
            <source>Total to pay {0}</source>
            <translation>סה"כ לתשלום {0}</translation>
        </message>
        <message>
            <source>bonus day ({0})</source>
            <translation>יום בונוס ({0})</translation>
        </message>
        <message>
            <source>offline, a member may redeem at most {0} points a day</source>
            <translation>במצב לא מקוון חבר יכול לממש עד {0} נקודות ביום</translation>
        </message>
        <message>
            <source>points may pay at most {0}% of the eligible items</source>
            <translation>נקודות יכולות לשלם עד {0}% מהפריטים הזכאים</translation>
        </message>
        <message>
            <source>redeeming points needs a member</source>
            <translation>מימוש נקודות דורש חבר מועדון</translation>
        </message>
        <message>
            <source>the member has {0} points</source>
            <translation>לחבר יש {0} נקודות</translation>
        </message>
        <message>
            <source>the member's balance</source>
            <translation>יתרת החבר</translation>
        </message>
        <message>
            <source>this program has no points redemption</source>
            <translation>בתוכנית זו אין מימוש נקודות</translation>
        </message>
        <message>
            <source>{0} discount {1}% of {2} = −{3}</source>
            <translation>הנחת {0} {1}% מתוך {2} = ‎−{3}</translation>
        </message>
        <message>
            <source>{0} membership</source>
            <translation>מנוי {0}</translation>
        </message>
        <message>
            <source>{0} points per {1}</source>
            <translation>{0} נקודות לכל {1}</translation>
        </message>
        <message>
            <source>{0} reward: 1 × {1} free (−{2}), {3} stamps spent</source>
            <translation>הטבת {0}: 1 × {1} חינם (‎−{2}), נוצלו {3} חותמות</translation>
        </message>
        <message>
            <source>{0} tier</source>
            <translation>דרגת {0}</translation>
        </message>
        <message>
            <source>{0} × {1} @ {2} = {3}</source>
            <translation>{0} × {1} ב-{2} = {3}</translation>
        </message>
        <message>
            <source>{0}: +{1} stamps</source>
            <translation>{0}: +{1} חותמות</translation>
        </message>
        <message>
            <source>{0}: membership +{1} days</source>
            <translation>{0}: מנוי +{1} ימים</translation>
        </message>
        <message>
            <source>1 point per {0}</source>
            <translation>נקודה לכל {0}</translation>
        </message>
    </context>
    <context>
        <name>ManagerPinDialog</name>
        <message>
            <source>Allow</source>
            <translation>אישור</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>ביטול</translation>
        </message>
        <message>
            <source>Manager allows spending</source>
            <translation>מנהל מאשר מימוש</translation>
        </message>
        <message>
            <source>The member has no card with them. A manager may allow spending points on this sale; it is written to the audit log. Manager PIN:</source>
            <translation>לחבר אין את הכרטיס. מנהל יכול לאשר מימוש נקודות במכירה זו; האישור נרשם ביומן הביקורת. קוד מנהל:</translation>
        </message>
    </context>
    <context>
        <name>MemberSearchDialog</name>
        <message>
            <source>Cancel</source>
            <translation>ביטול</translation>
        </message>
        <message>
            <source>Find a member</source>
            <translation>חיפוש חבר מועדון</translation>
        </message>
        <message>
            <source>Name, phone or member id</source>
            <translation>שם, טלפון או מספר חבר</translation>
        </message>
        <message>
            <source>No member matches</source>
            <translation>לא נמצא חבר מתאים</translation>
        </message>
        <message>
            <source>Select (Enter)</source>
            <translation>בחירה (Enter)</translation>
        </message>
        <message>
            <source>The first {0} members: type more to narrow</source>
            <translation>{0} החברים הראשונים: הקלידו עוד כדי לצמצם</translation>
        </message>
        <message>
            <source>Type part of a name, a phone number or a member id</source>
            <translation>הקלידו חלק משם, מספר טלפון או מספר חבר</translation>
        </message>
        <message>
            <source>{0} members</source>
            <translation>{0} חברים</translation>
        </message>
    </context>
    <context>
        <name>MemberSearchModel</name>
        <message>
            <source>Member id</source>
            <translation>מספר חבר</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>שם</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>טלפון</translation>
        </message>
    </context>
    <context>
        <name>CameraView</name>
        <message>
            <source>A video to use as the camera</source>
            <translation>סרטון שישמש כמצלמה</translation>
        </message>
        <message>
            <source>Camera off</source>
            <translation>מצלמה כבויה</translation>
        </message>
        <message>
            <source>Camera off — type the card number or use a USB scanner</source>
            <translation>המצלמה כבויה — הקלידו את מספר הכרטיס או השתמשו בסורק USB</translation>
        </message>
        <message>
            <source>Camera paused: touch the screen or a key to resume</source>
            <translation>המצלמה מושהית: געו במסך או הקישו על מקש כדי להמשיך</translation>
        </message>
        <message>
            <source>Camera {0}</source>
            <translation>מצלמה {0}</translation>
        </message>
        <message>
            <source>Hold the member's card up to the camera</source>
            <translation>הציגו את כרטיס החבר מול המצלמה</translation>
        </message>
        <message>
            <source>Looking for a camera…</source>
            <translation>מחפש מצלמה…</translation>
        </message>
        <message>
            <source>No camera</source>
            <translation>אין מצלמה</translation>
        </message>
        <message>
            <source>No camera found — type the card number or use a USB scanner</source>
            <translation>לא נמצאה מצלמה — הקלידו את מספר הכרטיס או השתמשו בסורק USB</translation>
        </message>
        <message>
            <source>Paused</source>
            <translation>מושהית</translation>
        </message>
        <message>
            <source>Type the card number or use a USB scanner</source>
            <translation>הקלידו את מספר הכרטיס או השתמשו בסורק USB</translation>
        </message>
        <message>
            <source>Video file…</source>
            <translation>קובץ וידאו…</translation>
        </message>
    </context>
    <context>
        <name>CameraWorker</name>
        <message>
            <source>Camera or video not available: {0}</source>
            <translation>המצלמה או הסרטון אינם זמינים: {0}</translation>
        </message>
        <message>
            <source>Not a Kupa code ({0})</source>
            <translation>לא קוד של קופה ({0})</translation>
        </message>
        <message>
            <source>The camera stopped sending pictures</source>
            <translation>המצלמה הפסיקה לשלוח תמונות</translation>
        </message>
    </context>
</TS>