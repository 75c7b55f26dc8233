<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../desktop_app/gui/about_dialog.py" line="42"/>
        <source>Acerca de Lote</source>
        <translation>About Lote</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/about_dialog.py" line="59"/>
        <source>Bandeja de salida de facturas electrónicas que funciona sin conexión: SIFEN (Paraguay), SIAT (Bolivia), ARCA (Argentina).</source>
        <translation>An outbox for electronic invoices that works offline: SIFEN (Paraguay), SIAT (Bolivia), ARCA (Argentina).</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/about_dialog.py" line="66"/>
        <source>Licencia: propietaria. Incluye Qt 6 y PySide6 (LGPLv3), Python (PSF) y bibliotecas de código abierto con sus propias licencias.</source>
        <translation>License: proprietary. Includes Qt 6 and PySide6 (LGPLv3), Python (PSF) and open-source libraries under their own licenses.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/about_dialog.py" line="84"/>
        <source>Carpeta de datos:</source>
        <translation>Data folder:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/about_dialog.py" line="85"/>
        <source>Registro:</source>
        <translation>Log:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/about_dialog.py" line="90"/>
        <source>Copiar diagnóstico</source>
        <translation>Copy diagnostics</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/about_dialog.py" line="94"/>
        <source>Copia al portapapeles la versión, el sistema, las carpetas y las últimas líneas del registro, sin claves, para enviarlos a soporte</source>
        <translation>Copies the version, the system, the folders and the last log lines, without keys, to the clipboard to send to support</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/about_dialog.py" line="99"/>
        <source>Abrir carpeta de datos</source>
        <translation>Open data folder</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/about_dialog.py" line="104"/>
        <source>Cerrar</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/about_dialog.py" line="132"/>
        <source>Diagnóstico copiado: péguelo en su mensaje a soporte.</source>
        <translation>Diagnostics copied: paste them into your message to support.</translation>
    </message>
</context>
<context>
    <name>Actor</name>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="155"/>
        <source>Usuario</source>
        <translation>User</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="157"/>
        <source>Lote (envío automático)</source>
        <translation>Lote (automatic sending)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="159"/>
        <source>Importación</source>
        <translation>Import</translation>
    </message>
</context>
<context>
    <name>BookPage</name>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="215"/>
        <source>&amp;Buscar:</source>
        <translation>&amp;Search:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="244"/>
        <source>Nuevo</source>
        <translation>New</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="247"/>
        <source>Agregar uno nuevo</source>
        <translation>Add a new one</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="250"/>
        <source>Editar</source>
        <translation>Edit</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="253"/>
        <source>Editar el seleccionado (también Intro)</source>
        <translation>Edit the selected one (also Enter)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="256"/>
        <location filename="../../desktop_app/gui/books_pages.py" line="371"/>
        <source>Eliminar</source>
        <translation>Delete</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="259"/>
        <source>Eliminar el seleccionado</source>
        <translation>Delete the selected one</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="262"/>
        <source>Importar CSV…</source>
        <translation>Import CSV…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="329"/>
        <source>{n} encontrados</source>
        <translation>{n} found</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="362"/>
        <source>Guardado.</source>
        <translation>Saved.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="372"/>
        <source>¿Eliminar «{name}»? Los documentos ya emitidos no cambian.</source>
        <translation>Delete “{name}”? Documents already issued do not change.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="381"/>
        <source>Eliminado: {name}.</source>
        <translation>Deleted: {name}.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="392"/>
        <source>Importar CSV</source>
        <translation>Import CSV</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="394"/>
        <source>Archivos CSV (*.csv *.txt)</source>
        <translation>CSV files (*.csv *.txt)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="403"/>
        <source>No se pudo leer el archivo: {error}</source>
        <translation>The file could not be read: {error}</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="408"/>
        <source>Importados: {added} nuevos, {updated} actualizados.</source>
        <translation>Imported: {added} new, {updated} updated.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="413"/>
        <source>Fila {row}: {message}</source>
        <translation>Row {row}: {message}</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="420"/>
        <source>… y {n} errores más.</source>
        <translation>… and {n} more errors.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="426"/>
        <source>Filas con errores (no importadas): {n}.</source>
        <translation>Rows with errors (not imported): {n}.</translation>
    </message>
</context>
<context>
    <name>CancelDialog</name>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="648"/>
        <source>Anular {numero}</source>
        <translation>Cancel {numero}</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="652"/>
        <source>La anulación se registra ahora y el documento queda «Anulación solicitada». Escriba el motivo (entre 5 y 500 caracteres):</source>
        <translation>The cancellation is recorded now and the document becomes “Cancellation requested”. Type the reason (5 to 500 characters):</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="671"/>
        <source>Solicitar anulación</source>
        <translation>Request cancellation</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="673"/>
        <source>Volver</source>
        <translation>Back</translation>
    </message>
</context>
<context>
    <name>CustomerDialog</name>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="556"/>
        <source>Cliente</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="556"/>
        <source>Nuevo cliente</source>
        <translation>New customer</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="569"/>
        <source>&amp;País:</source>
        <translation>&amp;Country:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="574"/>
        <source>&amp;Tipo de documento:</source>
        <translation>ID &amp;type:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="584"/>
        <location filename="../../desktop_app/gui/books_pages.py" line="694"/>
        <source>Consultar RUC</source>
        <translation>Look up RUC</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="592"/>
        <source>&amp;Número:</source>
        <translation>&amp;Number:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="599"/>
        <source>N&amp;ombre o razón social:</source>
        <translation>Name or legal na&amp;me:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="603"/>
        <source>&amp;Correo:</source>
        <translation>&amp;Email:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="606"/>
        <source>Te&amp;léfono:</source>
        <translation>&amp;Phone:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="609"/>
        <source>&amp;Dirección:</source>
        <translation>A&amp;ddress:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="616"/>
        <source>Guardar</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="618"/>
        <source>Guardar (Ctrl+S)</source>
        <translation>Save (Ctrl+S)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="623"/>
        <source>Cancelar</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="643"/>
        <source>RUC</source>
        <translation>RUC</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="644"/>
        <source>Cédula de identidad</source>
        <translation>Identity card (cédula)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="645"/>
        <source>NIT</source>
        <translation>NIT</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="646"/>
        <source>CUIT</source>
        <translation>CUIT</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="647"/>
        <source>DNI</source>
        <translation>DNI</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="648"/>
        <source>Otro documento</source>
        <translation>Other document</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="662"/>
        <source>Consultar el nombre registrado en la DNIT (servicio de DTEpy)</source>
        <translation>Look up the name registered at DNIT (DTEpy service)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="665"/>
        <source>Consulta de RUC disponible con un perfil DTEpy, cuando su adaptador la ofrezca</source>
        <translation>RUC lookup available with a DTEpy profile, once its adapter offers it</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="688"/>
        <source>Consultando…</source>
        <translation>Looking up…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="697"/>
        <source>La consulta de RUC no respondió; escriba el nombre.</source>
        <translation>The RUC lookup did not answer; type the name.</translation>
    </message>
</context>
<context>
    <name>CustomersModel</name>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="138"/>
        <source>Nombre o razón social</source>
        <extracomment>Rows a search shows at most (the book is searched, not scrolled).</extracomment>
        <translation>Name or legal name</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="139"/>
        <source>Tipo</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="140"/>
        <source>Número</source>
        <translation>Number</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="141"/>
        <source>País</source>
        <translation>Country</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="142"/>
        <source>Correo</source>
        <translation>Email</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="143"/>
        <source>Teléfono</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="144"/>
        <source>Dirección</source>
        <translation>Address</translation>
    </message>
</context>
<context>
    <name>CustomersPage</name>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="454"/>
        <source>Nombre, RUC/NIT/CUIT, cédula, correo o teléfono (Ctrl+F)</source>
        <translation>Name, RUC/NIT/CUIT, ID card, email or phone (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="458"/>
        <source>Columnas: ruc (o documento, nit, cuit), razon_social (o nombre), email, telefono, direccion, tipo, pais</source>
        <translation>Columns: ruc (or documento, nit, cuit), razon_social (or nombre), email, telefono, direccion, tipo, pais</translation>
    </message>
</context>
<context>
    <name>DailyChart</name>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="185"/>
        <source>Ventas por día del mes</source>
        <translation>Sales per day of the month</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="191"/>
        <source>Total del mes: {total}</source>
        <translation>Month total: {total}</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="221"/>
        <source>Ventas por día — {month}</source>
        <translation>Sales per day — {month}</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="223"/>
        <source>Ventas por día</source>
        <translation>Sales per day</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="229"/>
        <source>Todavía no hay ventas este mes.</source>
        <translation>No sales this month yet.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="264"/>
        <source>En camino</source>
        <translation>On its way</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="265"/>
        <source>Aprobados</source>
        <translation>Approved</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="284"/>
        <source>{day}: aprobados {approved}, en camino {pending}</source>
        <translation>{day}: approved {approved}, on its way {pending}</translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="80"/>
        <source>{n} mil</source>
        <translation>{n} k</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="338"/>
        <source>Pe&amp;rfil:</source>
        <translation>P&amp;rofile:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="344"/>
        <source>Actualizar</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="345"/>
        <source>Volver a calcular (F5)</source>
        <translation>Compute again (F5)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="358"/>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="380"/>
        <source>Hoy</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="359"/>
        <source>Este mes</source>
        <translation>This month</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="379"/>
        <source>Estado</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="381"/>
        <source>Total hoy</source>
        <translation>Today&apos;s total</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="382"/>
        <source>Mes</source>
        <translation>Month</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="383"/>
        <source>Total del mes</source>
        <translation>Month total</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="431"/>
        <source>No se pudo calcular el panel; pulse F5 para reintentar.</source>
        <translation>The dashboard could not be computed; press F5 to try again.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="441"/>
        <source>Este mes ({month})</source>
        <translation>This month ({month})</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="448"/>
        <source>{n} documento(s) de este mes en otra moneda no se suman a estos totales ({currency}).</source>
        <translation>{n} document(s) of this month in another currency are not added to these totals ({currency}).</translation>
    </message>
</context>
<context>
    <name>DetailDialog</name>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="69"/>
        <location filename="../../desktop_app/gui/main_window.py" line="710"/>
        <source>Impresión disponible próximamente</source>
        <translation>Printing coming soon</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="71"/>
        <source>Efectivo</source>
        <translation>Cash</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="72"/>
        <source>Cheque</source>
        <translation>Cheque</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="73"/>
        <source>Tarjeta de crédito</source>
        <translation>Credit card</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="74"/>
        <source>Tarjeta de débito</source>
        <translation>Debit card</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="75"/>
        <source>Transferencia</source>
        <translation>Bank transfer</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="76"/>
        <source>Giro</source>
        <translation>Money order</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="77"/>
        <source>Billetera electrónica</source>
        <translation>E-wallet</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="78"/>
        <source>Tarjeta empresarial</source>
        <translation>Business card</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="79"/>
        <source>Vale</source>
        <translation>Voucher</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="80"/>
        <source>Retención</source>
        <translation>Withholding</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="81"/>
        <source>Pago por anticipo</source>
        <translation>Advance payment</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="82"/>
        <source>Valor fiscal</source>
        <translation>Fiscal value</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="83"/>
        <source>Valor comercial</source>
        <translation>Commercial value</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="84"/>
        <source>Compensación</source>
        <translation>Offset</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="85"/>
        <source>Permuta</source>
        <translation>Barter</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="86"/>
        <source>Pago bancario</source>
        <translation>Bank payment</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="87"/>
        <source>Pago móvil</source>
        <translation>Mobile payment</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="88"/>
        <source>Donación</source>
        <translation>Donation</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="89"/>
        <source>Promoción</source>
        <translation>Promotion</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="90"/>
        <source>Consumo interno</source>
        <translation>Internal consumption</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="91"/>
        <source>Pago electrónico</source>
        <translation>Electronic payment</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="92"/>
        <source>Otro</source>
        <translation>Other</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="119"/>
        <source>Crédito · {n} cuotas</source>
        <translation>Credit · {n} instalments</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="127"/>
        <source>Crédito · plazo {plazo}</source>
        <translation>Credit · term {plazo}</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="139"/>
        <source>Contado</source>
        <translation>Cash</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="158"/>
        <source>Exenta</source>
        <translation>Exempt</translation>
    </message>
</context>
<context>
    <name>DocState</name>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="54"/>
        <source>Borrador</source>
        <translation>Draft</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="55"/>
        <source>Encolado</source>
        <translation>Queued</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="56"/>
        <source>Enviando</source>
        <translation>Sending</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="57"/>
        <source>Enviado</source>
        <translation>Sent</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="58"/>
        <source>Aprobado</source>
        <translation>Approved</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="60"/>
        <source>Aprobado con observaciones</source>
        <translation>Approved with observations</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="62"/>
        <source>Rechazado</source>
        <translation>Rejected</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="64"/>
        <source>Verificando</source>
        <translation>Verifying</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="67"/>
        <source>Anulación solicitada</source>
        <translation>Cancellation requested</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="69"/>
        <source>Anulado</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="70"/>
        <source>Inutilizado</source>
        <translation>Voided</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="73"/>
        <source>Procesando</source>
        <extracomment>SUBMITTED and the provider said the authority is still working on it.</extracomment>
        <translation>Processing</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="75"/>
        <source>Desconocido</source>
        <extracomment>A state this release does not know (a newer terminal wrote it to a shared database).</extracomment>
        <translation>Unknown</translation>
    </message>
</context>
<context>
    <name>DocumentDetailDialog</name>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="232"/>
        <source>Documento</source>
        <translation>Document</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="236"/>
        <source>Tipo:</source>
        <translation>Type:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="237"/>
        <source>Fecha de emisión:</source>
        <translation>Issue date:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="238"/>
        <source>Cliente:</source>
        <translation>Customer:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="239"/>
        <source>RUC/NIT/CUIT o documento:</source>
        <translation>RUC/NIT/CUIT or ID:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="240"/>
        <source>Total:</source>
        <translation>Total:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="241"/>
        <source>IVA incluido:</source>
        <translation>VAT included:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="242"/>
        <source>Condición y pago:</source>
        <translation>Terms and payment:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="243"/>
        <source>Perfil y proveedor:</source>
        <translation>Profile and provider:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="244"/>
        <source>Lote:</source>
        <translation>Lote:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="245"/>
        <source>Respuesta del proveedor:</source>
        <translation>Provider&apos;s answer:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="253"/>
        <source>Identificación ante la autoridad</source>
        <translation>Identification at the tax authority</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="259"/>
        <source>&amp;Copiar CDC</source>
        <translation>&amp;Copy CDC</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="261"/>
        <source>Copiar el CDC al portapapeles (Ctrl+Shift+C)</source>
        <translation>Copy the CDC to the clipboard (Ctrl+Shift+C)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="264"/>
        <source>CDC:</source>
        <translation>CDC:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="267"/>
        <source>CUF:</source>
        <translation>CUF:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="268"/>
        <source>CAE:</source>
        <translation>CAE:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="280"/>
        <source>Ítems</source>
        <translation>Items</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="286"/>
        <source>Descripción</source>
        <translation>Description</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="287"/>
        <source>Cantidad</source>
        <translation>Quantity</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="288"/>
        <source>Precio unitario</source>
        <translation>Unit price</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="289"/>
        <source>IVA</source>
        <translation>VAT</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="290"/>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="307"/>
        <source>Historial</source>
        <translation>History</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="313"/>
        <source>Cuándo</source>
        <translation>When</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="314"/>
        <source>Quién</source>
        <translation>Who</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="315"/>
        <source>Estado</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="316"/>
        <source>Código</source>
        <translation>Code</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="317"/>
        <source>Mensaje</source>
        <translation>Message</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="351"/>
        <source>Corregir y reenviar</source>
        <translation>Correct and resend</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="352"/>
        <source>Abrir una copia editable; al guardar se reenvía con el mismo número (Ctrl+E)</source>
        <translation>Open an editable copy; saving resends it with the same number (Ctrl+E)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="358"/>
        <source>Anular…</source>
        <translation>Cancel document…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="359"/>
        <source>Pedir la anulación de este documento aprobado (Ctrl+Shift+A)</source>
        <translation>Request the cancellation of this approved document (Ctrl+Shift+A)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="365"/>
        <source>Consultar de nuevo</source>
        <translation>Ask again</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="366"/>
        <source>Volver a preguntar al proveedor por este documento (Ctrl+R)</source>
        <translation>Ask the provider about this document again (Ctrl+R)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="372"/>
        <source>Imprimir…</source>
        <translation>Print…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="373"/>
        <source>Imprimir el KuDE (Ctrl+P)</source>
        <translation>Print the KuDE (Ctrl+P)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="379"/>
        <source>Guardar PDF…</source>
        <translation>Save PDF…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="380"/>
        <source>Guardar el KuDE como PDF (Ctrl+Shift+S)</source>
        <translation>Save the KuDE as PDF (Ctrl+Shift+S)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="386"/>
        <source>Cerrar</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="402"/>
        <source>El documento ya no existe.</source>
        <translation>The document no longer exists.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="410"/>
        <source>{tipo} {numero}</source>
        <translation>{tipo} {numero}</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="452"/>
        <source>{cae} (vence {fecha})</source>
        <translation>{cae} (expires {fecha})</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="509"/>
        <source>Los documentos de Bolivia y Argentina se corrigen en el archivo de origen y se vuelven a importar.</source>
        <translation>Bolivian and Argentine documents are corrected in their source file and imported again.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="523"/>
        <source>Anulación: según las reglas del proveedor y de la autoridad.</source>
        <translation>Cancellation: according to the provider&apos;s and the authority&apos;s rules.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="532"/>
        <source>Se puede anular hasta el {when} (plazo de {hours} h de la SET: quedan {h} h {m} min).</source>
        <translation>Can be cancelled until {when} (the tax authority&apos;s {hours} h limit: {h} h {m} min left).</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="541"/>
        <source>Venció el plazo de {hours} h para anular ({when}): emita una nota de crédito.</source>
        <translation>The {hours} h cancellation limit has passed ({when}): issue a credit note.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="548"/>
        <source>Pasó el plazo de {hours} h desde la aprobación.</source>
        <translation>The {hours} h after approval have passed.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="554"/>
        <source>Anulación solicitada. El evento de cancelación se enviará al proveedor cuando Lote lo admita para este proveedor; hasta entonces queda en espera aquí.</source>
        <translation>Cancellation requested. The cancellation event will be sent to the provider once Lote supports it for this provider; until then it waits here.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="562"/>
        <source>Rechazado: {respuesta}. Corrija los datos y reenvíe; el número {numero} se conserva porque nunca fue aprobado.</source>
        <translation>Rejected: {respuesta}. Correct the data and resend; number {numero} is kept because it was never approved.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="581"/>
        <source>CDC copiado</source>
        <translation>CDC copied</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="622"/>
        <source>No se pudo imprimir el documento.</source>
        <translation>The document could not be printed.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="631"/>
        <source>Guardar PDF</source>
        <translation>Save PDF</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="631"/>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/detail_dialog.py" line="639"/>
        <source>No se pudo guardar el PDF.</source>
        <translation>The PDF could not be saved.</translation>
    </message>
</context>
<context>
    <name>DocumentsModel</name>
    <message>
        <location filename="../../desktop_app/gui/documents_model.py" line="127"/>
        <source>Número</source>
        <extracomment>The document id of a row (an int; Qt roles carry Python objects fine). The raw state (&quot;QUEUED&quot;, ...) of a row. The roles a view asks of every cell it paints, as plain ints: `data` runs ~7 times per visible cell on every repaint, so it compares ints rather than enum members (BENCHMARKS.md, GUI heartbeat: painting). Roles only the state column answers. Every role `data` may answer from a row (any other one is None without a lookup). Rows kept in memory before the cache is dropped (all but the page in view). Each column&apos;s text alignment (numbers to the right). The SQL sort key of each column (lote_queries.SORT_KEYS). How each provider is written for people.</extracomment>
        <translation>Number</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_model.py" line="128"/>
        <source>Fecha</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_model.py" line="129"/>
        <source>Cliente</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_model.py" line="130"/>
        <source>RUC/NIT/CUIT</source>
        <translation>RUC/NIT/CUIT</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_model.py" line="131"/>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_model.py" line="132"/>
        <source>Estado</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_model.py" line="133"/>
        <source>Código/Mensaje</source>
        <translation>Code/Message</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_model.py" line="134"/>
        <source>Lote</source>
        <translation>Lote</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_model.py" line="135"/>
        <source>Proveedor</source>
        <translation>Provider</translation>
    </message>
</context>
<context>
    <name>DocumentsPage</name>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="40"/>
        <source>Todos los estados</source>
        <extracomment>(label, states) of the state filter; None = every state.</extracomment>
        <translation>All states</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="42"/>
        <source>Pendientes</source>
        <translation>Pending</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="49"/>
        <source>Aprobados</source>
        <translation>Approved</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="52"/>
        <source>Rechazados</source>
        <translation>Rejected</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="54"/>
        <source>Anulados e inutilizados</source>
        <translation>Cancelled and voided</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="71"/>
        <source>Todas las fechas</source>
        <translation>All dates</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="72"/>
        <source>Hoy</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="73"/>
        <source>Ayer</source>
        <translation>Yesterday</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="74"/>
        <source>Últimos 7 días</source>
        <translation>Last 7 days</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="75"/>
        <source>Este mes</source>
        <translation>This month</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="76"/>
        <source>Mes anterior</source>
        <translation>Last month</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="77"/>
        <source>Rango de fechas</source>
        <translation>Date range</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="176"/>
        <source>Todavía no hay documentos. Pulse «Nueva factura» (Ctrl+N) para emitir el primero; se guarda al instante y se envía cuando haya conexión.</source>
        <translation>No documents yet. Press “New invoice” (Ctrl+N) to issue the first one; it is saved at once and sent when there is a connection.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="200"/>
        <source>Documentos</source>
        <translation>Documents</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="226"/>
        <source>&amp;Estado:</source>
        <translation>S&amp;tate:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="234"/>
        <source>&amp;Período:</source>
        <translation>&amp;Period:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="246"/>
        <source>Des&amp;de:</source>
        <translation>Fro&amp;m:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="247"/>
        <source>&amp;Hasta:</source>
        <translation>&amp;To:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="268"/>
        <source>Pe&amp;rfil:</source>
        <translation>P&amp;rofile:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="276"/>
        <source>Cliente, RUC/NIT/CUIT, número o CDC/CUF/CAE (Ctrl+F)</source>
        <translation>Customer, RUC/NIT/CUIT, number or CDC/CUF/CAE (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="282"/>
        <source>&amp;Buscar:</source>
        <translation>&amp;Search:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="285"/>
        <source>Limpiar filtros</source>
        <translation>Clear filters</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="287"/>
        <source>Mostrar todos los documentos (Ctrl+Shift+L)</source>
        <translation>Show every document (Ctrl+Shift+L)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="309"/>
        <source>Todos los perfiles</source>
        <translation>All profiles</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="341"/>
        <source>Del {start} al {end}</source>
        <translation>From {start} to {end}</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="399"/>
        <source>{n} documentos</source>
        <translation>{n} documents</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/documents_page.py" line="401"/>
        <source>1 documento</source>
        <translation>1 document</translation>
    </message>
</context>
<context>
    <name>GatewayTab</name>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="665"/>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="695"/>
        <source>Elegir…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="672"/>
        <source>API local</source>
        <translation>Local API</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="680"/>
        <source>Puerto:</source>
        <translation>Port:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="684"/>
        <source>Nuevo token</source>
        <translation>New token</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="690"/>
        <source>Se aplica al reiniciar Lote.</source>
        <translation>Applies when Lote restarts.</translation>
    </message>
</context>
<context>
    <name>GeneralTab</name>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="606"/>
        <source>&amp;Idioma:</source>
        <translation>&amp;Language:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="607"/>
        <source>El idioma cambia al volver a abrir Lote.</source>
        <translation>The language changes the next time Lote opens.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="611"/>
        <source>Avisar en la bandeja del sistema cuando se rechacen documentos</source>
        <translation>Notify in the system tray when documents are rejected</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="623"/>
        <source>Base de datos compartida:</source>
        <translation>Shared database:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="625"/>
        <source>Vacío: la base de datos propia de este equipo. Se aplica al reiniciar Lote.</source>
        <translation>Empty: this computer&apos;s own database. Applies when Lote restarts.</translation>
    </message>
</context>
<context>
    <name>InvoiceDialog</name>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="96"/>
        <source>Efectivo</source>
        <extracomment>SIFEN convention for the receptor&apos;s name of an anonymous (innominado) sale. D208 iTipIDRec values Lote offers in the form. SIFEN E7.1 iTiPago values the form offers for a cash sale.</extracomment>
        <translation>Cash</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="97"/>
        <source>Tarjeta de crédito</source>
        <translation>Credit card</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="98"/>
        <source>Tarjeta de débito</source>
        <translation>Debit card</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="99"/>
        <source>Cheque</source>
        <translation>Cheque</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="100"/>
        <source>Transferencia</source>
        <translation>Bank transfer</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="110"/>
        <source>Otra</source>
        <extracomment>SIFEN E7.1.1 iDenTarj: the card&apos;s brand.</extracomment>
        <translation>Other</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="161"/>
        <source>10 %</source>
        <extracomment>FacturaSend&apos;s credito.tipo (SIFEN E7.2 iCondCred): 1 plazo, 2 cuotas. E731/E733/E734: gravado 10 %, gravado 5 %, exento.</extracomment>
        <translation>10 %</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="162"/>
        <source>5 %</source>
        <translation>5 %</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="163"/>
        <source>Exenta</source>
        <translation>Exempt</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="275"/>
        <source>Corregir y reenviar {numero}</source>
        <extracomment>What the form does not show but the item keeps (a product&apos;s code, a corrected document&apos;s unit and extra keys). After a correction: True when it had to take a new number. Errors the last save attempt found, by widget; cleared when the widget is edited. The book entry the customer fields were filled from (its email, address...).</extracomment>
        <translation>Correct and resend {numero}</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="278"/>
        <source>Nueva factura</source>
        <translation>New invoice</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="308"/>
        <source>Guardar y reenviar</source>
        <translation>Save and resend</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="308"/>
        <source>Guardar</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="314"/>
        <source>Guardar y encolar para enviar (Ctrl+S)</source>
        <translation>Save and queue for sending (Ctrl+S)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="318"/>
        <source>Cancelar</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="319"/>
        <source>Cerrar sin guardar (Esc)</source>
        <translation>Close without saving (Esc)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="380"/>
        <source>Perfil {profile} · Número {numero}: se conserva, porque un documento rechazado nunca fue emitido.</source>
        <translation>Profile {profile} · Number {numero}: kept, because a rejected document was never issued.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="384"/>
        <source>Rechazado: {motivo}</source>
        <translation>Rejected: {motivo}</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="396"/>
        <source>Perfil {profile} · Establecimiento {est} · Punto de expedición {punto} · En guaraníes · Próximo número: {numero} (se asigna al guardar).</source>
        <translation>Profile {profile} · Establishment {est} · Point of issue {punto} · In guaraníes · Next number: {numero} (assigned on saving).</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="410"/>
        <source>Emitir con la fecha de hoy (nuevo CDC)</source>
        <translation>Issue with today&apos;s date (new CDC)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="413"/>
        <source>Sin marcar, el documento conserva su fecha {fecha} y su CDC.</source>
        <translation>Unchecked, the document keeps its date {fecha} and its CDC.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="421"/>
        <source>Cliente</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="427"/>
        <source>RUC</source>
        <translation>RUC</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="428"/>
        <source>Cédula de identidad</source>
        <translation>Identity card (cédula)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="429"/>
        <source>Sin nombre (innominado)</source>
        <translation>Anonymous (innominado)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="431"/>
        <source>&amp;Tipo de cliente:</source>
        <translation>Customer &amp;type:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="474"/>
        <source>Ítems</source>
        <translation>Items</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="480"/>
        <source>Descripción</source>
        <translation>Description</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="481"/>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="815"/>
        <source>Cantidad</source>
        <translation>Quantity</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="482"/>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="816"/>
        <source>Precio unitario</source>
        <translation>Unit price</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="483"/>
        <source>IVA</source>
        <translation>VAT</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="484"/>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="518"/>
        <source>Agregar ítem</source>
        <translation>Add item</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="520"/>
        <source>Agregar ítem (F2)</source>
        <translation>Add item (F2)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="523"/>
        <source>Quitar ítem</source>
        <translation>Remove item</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="525"/>
        <source>Quitar el ítem donde está el cursor</source>
        <translation>Remove the item holding the cursor</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="536"/>
        <source>F2: nuevo ítem · F4: buscar cliente · Enter: campo siguiente · Ctrl+S: guardar</source>
        <translation>F2: new item · F4: find customer · Enter: next field · Ctrl+S: save</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="546"/>
        <source>Pago</source>
        <translation>Payment</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="553"/>
        <source>Contado</source>
        <translation>Cash</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="554"/>
        <source>Crédito</source>
        <translation>Credit</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="556"/>
        <source>C&amp;ondición:</source>
        <translation>C&amp;ondition:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="567"/>
        <source>&amp;Forma de pago:</source>
        <translation>Payment &amp;type:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="576"/>
        <source>Tarjeta:</source>
        <translation>Card:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="579"/>
        <source>Opcional</source>
        <translation>Optional</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="581"/>
        <source>Nº de autorización:</source>
        <translation>Authorisation no.:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="585"/>
        <source>Nº de cheque:</source>
        <translation>Cheque no.:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="589"/>
        <source>Banco:</source>
        <translation>Bank:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="596"/>
        <source>A plazo</source>
        <translation>Term</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="597"/>
        <source>En cuotas</source>
        <translation>Instalments</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="599"/>
        <source>Crédito:</source>
        <translation>Credit:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="604"/>
        <source> días</source>
        <translation> days</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="605"/>
        <source>Plazo:</source>
        <translation>Term:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="610"/>
        <source>Cuotas:</source>
        <translation>Instalments:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="615"/>
        <source>Primer vencimiento:</source>
        <translation>First due date:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="676"/>
        <source>Gravada 10 %</source>
        <translation>Taxable 10 %</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="677"/>
        <source>IVA 10 %</source>
        <translation>VAT 10 %</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="678"/>
        <source>Gravada 5 %</source>
        <translation>Taxable 5 %</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="679"/>
        <source>IVA 5 %</source>
        <translation>VAT 5 %</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="680"/>
        <source>Exentas</source>
        <translation>Exempt</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="681"/>
        <source>Total IVA</source>
        <translation>Total VAT</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="697"/>
        <source>Total (Gs.)</source>
        <translation>Total (Gs.)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="733"/>
        <source>Escriba para buscar en los productos</source>
        <translation>Type to search the products</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="838"/>
        <source>{field} del ítem {n}: falta este dato.</source>
        <translation>{field} of item {n}: missing.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="845"/>
        <source>{field} del ítem {n}: «{text}» no es un número (escriba, por ejemplo, 3, 1,5 o 150.000).</source>
        <translation>{field} of item {n}: “{text}” is not a number (type, for example, 3, 1,5 or 150.000).</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="902"/>
        <source>&amp;RUC:</source>
        <translation>&amp;RUC:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="903"/>
        <source>80012345-6 (con dígito verificador)</source>
        <translation>80012345-6 (with its check digit)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="904"/>
        <source>Razón so&amp;cial:</source>
        <translation>Legal na&amp;me:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="906"/>
        <source>Nombre o razón social (escriba para buscar en la libreta, F4)</source>
        <translation>Name or legal name (type to search the book, F4)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="909"/>
        <source>Cé&amp;dula:</source>
        <translation>I&amp;D card:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="910"/>
        <source>Solo dígitos, sin puntos</source>
        <translation>Digits only, no dots</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="911"/>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="916"/>
        <source>&amp;Nombre:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="912"/>
        <source>Nombre y apellido</source>
        <translation>First and last name</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="914"/>
        <source>Documento:</source>
        <translation>Document:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="915"/>
        <source>No hace falta</source>
        <translation>Not needed</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="965"/>
        <source>Una cédula paraguaya lleva solo dígitos, sin puntos ni guiones.</source>
        <translation>A Paraguayan ID card number has digits only, no dots or dashes.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="1099"/>
        <source>Una venta a crédito necesita un cliente identificado (RUC o cédula).</source>
        <translation>A credit sale needs an identified customer (RUC or ID card).</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="1107"/>
        <source>El número de autorización lleva solo dígitos (hasta 10).</source>
        <translation>The authorisation number has digits only (up to 10).</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="1113"/>
        <source>Escriba el número del cheque (solo dígitos, hasta 8).</source>
        <translation>Type the cheque number (digits only, up to 8).</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="1117"/>
        <source>Escriba el banco emisor del cheque (entre 4 y 20 caracteres).</source>
        <translation>Type the cheque&apos;s issuing bank (4 to 20 characters).</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="1169"/>
        <source>El documento ya no existe.</source>
        <translation>The document no longer exists.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="1300"/>
        <source>No se pudo guardar la factura por un error inesperado. Sus datos siguen en pantalla: intente de nuevo.</source>
        <translation>The invoice could not be saved because of an unexpected error. Your data is still on screen: try again.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/invoice_dialog.py" line="1360"/>
        <source>No se guardó nada: revise los datos marcados en rojo.</source>
        <translation>Nothing was saved: check the fields marked in red.</translation>
    </message>
</context>
<context>
    <name>KeyStorage</name>
    <message>
        <location filename="../../desktop_app/gui/key_storage.py" line="26"/>
        <source>Sin llavero del sistema</source>
        <translation>No system keyring</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/key_storage.py" line="27"/>
        <source>No hay un llavero del sistema disponible para guardar la clave API. Lote no la guarda en claro en ningún archivo. Elija: guardarla solo durante esta sesión, o en un archivo cifrado con una contraseña que se pedirá al iniciar.</source>
        <translation>There is no system keyring to store the API key. Lote never writes it in clear to any file. Choose: keep it for this session only, or in a file encrypted with a password you will be asked for at start-up.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/key_storage.py" line="32"/>
        <source>Solo durante esta sesión</source>
        <translation>For this session only</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/key_storage.py" line="33"/>
        <source>Archivo cifrado con contraseña</source>
        <translation>Password-encrypted file</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/key_storage.py" line="34"/>
        <source>Cancelar</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/key_storage.py" line="41"/>
        <source>Contraseña de las claves</source>
        <translation>Key password</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/key_storage.py" line="59"/>
        <source>Elija una contraseña para el archivo cifrado de claves (se pedirá al iniciar):</source>
        <translation>Choose a password for the encrypted key file (asked at start-up):</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/key_storage.py" line="60"/>
        <source>Contraseña del archivo cifrado de claves:</source>
        <translation>Password of the encrypted key file:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/key_storage.py" line="63"/>
        <source>No se guardó la clave: falta la contraseña.</source>
        <translation>The key was not saved: the password is missing.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/key_storage.py" line="64"/>
        <source>Repita la contraseña:</source>
        <translation>Repeat the password:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/key_storage.py" line="65"/>
        <source>No se guardó la clave: las contraseñas no coinciden.</source>
        <translation>The key was not saved: the passwords do not match.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/key_storage.py" line="80"/>
        <source>Lote guarda las claves API en un archivo cifrado. Contraseña:</source>
        <translation>Lote keeps the API keys in an encrypted file. Password:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/key_storage.py" line="89"/>
        <source>Contraseña incorrecta. Vuelva a intentarlo:</source>
        <translation>Wrong password. Try again:</translation>
    </message>
</context>
<context>
    <name>LoteState</name>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="118"/>
        <source>Enviando</source>
        <extracomment>Lote.state values (store/models.py) as the Lotes screen shows them.</extracomment>
        <translation>Sending</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="119"/>
        <source>En proceso</source>
        <translation>Processing</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="120"/>
        <source>Terminado</source>
        <translation>Done</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="121"/>
        <source>Sin respuesta: verificando</source>
        <translation>No answer: verifying</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="122"/>
        <source>Rechazado por el proveedor</source>
        <translation>Refused by the provider</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="123"/>
        <source>Sin conexión: devuelto a la cola</source>
        <translation>Offline: back in the queue</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="124"/>
        <source>No enviado: devuelto a la cola</source>
        <translation>Not sent: back in the queue</translation>
    </message>
</context>
<context>
    <name>LotesModel</name>
    <message>
        <location filename="../../desktop_app/gui/lotes_page.py" line="69"/>
        <source>Lote</source>
        <translation>Lote</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/lotes_page.py" line="70"/>
        <source>Proveedor</source>
        <translation>Provider</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/lotes_page.py" line="71"/>
        <source>Tipo</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/lotes_page.py" line="72"/>
        <source>Documentos</source>
        <translation>Documents</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/lotes_page.py" line="73"/>
        <source>Enviado</source>
        <translation>Sent</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/lotes_page.py" line="74"/>
        <source>Estado</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/lotes_page.py" line="75"/>
        <source>Aprobados</source>
        <translation>Approved</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/lotes_page.py" line="76"/>
        <source>Rechazados</source>
        <translation>Rejected</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/lotes_page.py" line="77"/>
        <source>Pendientes</source>
        <translation>Pending</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/lotes_page.py" line="78"/>
        <source>Devueltos</source>
        <translation>Back in queue</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/lotes_page.py" line="79"/>
        <source>Código/Mensaje</source>
        <translation>Code/Message</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/lotes_page.py" line="133"/>
        <source>Documentos que volvieron a la cola: el envío no llegó al proveedor</source>
        <translation>Documents that went back to the queue: the request never reached the provider</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/lotes_page.py" line="161"/>
        <source>Lote interno {id}</source>
        <translation>Internal lote {id}</translation>
    </message>
</context>
<context>
    <name>LotesPage</name>
    <message>
        <location filename="../../desktop_app/gui/lotes_page.py" line="260"/>
        <source>Seleccione un lote para ver sus documentos.</source>
        <extracomment>Documents changed while the page was hidden: reload the lote&apos;s table when shown.</extracomment>
        <translation>Select a lote to see its documents.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/lotes_page.py" line="313"/>
        <source>No se pudo leer la lista de lotes; pulse F5 para reintentar.</source>
        <translation>The list of lotes could not be read; press F5 to try again.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/lotes_page.py" line="321"/>
        <source>{n} lotes enviados, {docs} documentos en total.</source>
        <translation>{n} lotes sent, {docs} documents in all.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/lotes_page.py" line="335"/>
        <source>Documentos del lote {numero} ({provider}), enviado el {when}:</source>
        <translation>Documents of lote {numero} ({provider}), sent on {when}:</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="171"/>
        <source>Lote</source>
        <extracomment>The moments of this process at which the heap was frozen (`freeze_long_lived_heap`). The screens built so far (the documents screen always; the others on first show, see `page`). Set when another instance is this data folder&apos;s sender (its PID, or 0). Last known connectivity per profile: None until a request says.</extracomment>
        <translation>Lote</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="173"/>
        <source>Lote — modo demostración</source>
        <translation>Lote — demo mode</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="278"/>
        <location filename="../../desktop_app/gui/main_window.py" line="828"/>
        <source>Nueva factura</source>
        <extracomment>Worker reports arrive every few milliseconds while a drain runs; they are merged for ~100 ms and read off the GUI thread, which only applies the answer (gui/live.py: the heartbeat target). The network hint is only useful while a provider is unreachable: its backend is loaded (15–30 ms on the GUI thread) the first time a request fails.</extracomment>
        <translation>New invoice</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="285"/>
        <source>Reintentar ahora</source>
        <translation>Retry now</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="288"/>
        <source>Enviar y consultar ya, sin esperar la próxima pausa tras un fallo</source>
        <translation>Send and check now, without waiting out the pause after a failure</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="293"/>
        <source>Actualizar</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="296"/>
        <source>Volver a leer la pantalla actual</source>
        <translation>Read the current screen again</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="298"/>
        <source>Salir</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="301"/>
        <source>Configuración…</source>
        <translation>Settings…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="308"/>
        <source>Importar clientes (CSV)…</source>
        <translation>Import customers (CSV)…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="314"/>
        <source>Importar productos (CSV)…</source>
        <translation>Import products (CSV)…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="320"/>
        <source>Importar documentos (CSV/XLSX)…</source>
        <translation>Import documents (CSV/XLSX)…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="323"/>
        <source>Encolar ventas de un archivo, con una vista previa de cada error</source>
        <translation>Queue sales from a file, previewing every error</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="327"/>
        <source>Exportar la lista (CSV/XLSX)…</source>
        <translation>Export the list (CSV/XLSX)…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="330"/>
        <source>Guardar los documentos de la lista en un archivo</source>
        <translation>Save the listed documents to a file</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="334"/>
        <source>Libro de ventas del mes…</source>
        <translation>Monthly sales book…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="337"/>
        <source>El libro de ventas de un mes, para el contador</source>
        <translation>A month&apos;s sales book, for the accountant</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="341"/>
        <source>Buscar</source>
        <translation>Search</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="344"/>
        <source>Buscar en la pantalla actual</source>
        <translation>Search the current screen</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="349"/>
        <source>Ver detalle</source>
        <translation>Show detail</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="352"/>
        <source>Abrir el documento seleccionado (Intro o doble clic)</source>
        <translation>Open the selected document (Enter or double-click)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="358"/>
        <source>Corregir y reenviar…</source>
        <translation>Correct and resend…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="361"/>
        <source>Corregir un documento rechazado y reenviarlo con el mismo número</source>
        <translation>Correct a rejected document and resend it with the same number</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="365"/>
        <source>Anular…</source>
        <translation>Cancel document…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="368"/>
        <source>Pedir la anulación de un documento aprobado</source>
        <translation>Request the cancellation of an approved document</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="372"/>
        <source>Consultar de nuevo</source>
        <translation>Ask again</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="375"/>
        <source>Volver a preguntar al proveedor por los documentos que requieren atención</source>
        <translation>Ask the provider again about the documents that need attention</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="379"/>
        <source>Imprimir…</source>
        <translation>Print…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="382"/>
        <source>Imprimir el KuDE del documento seleccionado</source>
        <translation>Print the KuDE of the selected document</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="386"/>
        <source>Copiar CDC</source>
        <translation>Copy CDC</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="389"/>
        <source>Copiar el CDC (o CUF/CAE) del documento seleccionado</source>
        <translation>Copy the CDC (or CUF/CAE) of the selected document</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="394"/>
        <source>Documentos</source>
        <translation>Documents</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="395"/>
        <source>Panel</source>
        <translation>Dashboard</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="396"/>
        <source>Lotes</source>
        <translation>Lotes</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="397"/>
        <source>Clientes</source>
        <translation>Customers</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="398"/>
        <source>Productos</source>
        <translation>Products</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="410"/>
        <location filename="../../desktop_app/gui/main_window.py" line="1054"/>
        <source>Atajos de teclado</source>
        <translation>Keyboard shortcuts</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="413"/>
        <source>Acerca de Lote</source>
        <translation>About Lote</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="416"/>
        <source>Copiar diagnóstico</source>
        <translation>Copy diagnostics</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="421"/>
        <source>&amp;Archivo</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="435"/>
        <source>D&amp;ocumento</source>
        <translation>D&amp;ocument</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="450"/>
        <source>&amp;Ver</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="457"/>
        <source>&amp;Sincronización</source>
        <translation>&amp;Sync</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="460"/>
        <source>Ay&amp;uda</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="467"/>
        <source>Principal</source>
        <translation>Main</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="481"/>
        <source>Modo demostración: las facturas van a un simulador local, no a la SET.</source>
        <translation>Demo mode: invoices go to a local simulator, not to the tax authority.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="498"/>
        <source>Pantallas</source>
        <translation>Screens</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="797"/>
        <source>Copiado: {value}</source>
        <translation>Copied: {value}</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="808"/>
        <source>Se consultará de nuevo al proveedor por {n} documento(s).</source>
        <translation>The provider will be asked again about {n} document(s).</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="822"/>
        <source>No hay un perfil de proveedor configurado: no se puede facturar.</source>
        <translation>No provider profile is configured: invoicing is not possible.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="830"/>
        <source>El perfil predeterminado «{name}» es de {country}. Sus facturas se cargan por importación: Archivo → Importar documentos (Ctrl+Shift+I), o «lote import ARCHIVO» en la terminal. Este formulario emite facturas de Paraguay; elija un perfil de Paraguay como predeterminado en Configuración (Ctrl+,) para facturar aquí.</source>
        <translation>The default profile “{name}” is for {country}. Its invoices come in by import: File → Import documents (Ctrl+Shift+I), or “lote import FILE” in a terminal. This form issues Paraguayan invoices; choose a Paraguayan profile as the default in Settings (Ctrl+,) to invoice here.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="870"/>
        <source>El número estaba usado en el proveedor: la corrección se guardó como un documento nuevo y se enviará enseguida.</source>
        <translation>The number was already used at the provider: the correction was saved as a new document and will be sent shortly.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="875"/>
        <source>Documento corregido; se reenviará enseguida con el mismo número.</source>
        <translation>Document corrected; it will be resent shortly with the same number.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="879"/>
        <source>Factura guardada; se enviará enseguida.</source>
        <translation>Invoice saved; it will be sent shortly.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="890"/>
        <source>Reintentando…</source>
        <translation>Retrying…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="911"/>
        <source>El idioma se aplicará la próxima vez que abra Lote.</source>
        <translation>The language will apply the next time you open Lote.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="938"/>
        <source>Función disponible próximamente.</source>
        <translation>Coming soon.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="954"/>
        <source>Importar documentos para el perfil {name}</source>
        <translation>Import documents for profile {name}</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="956"/>
        <source>Planillas (*.csv *.xlsx *.txt)</source>
        <translation>Spreadsheets (*.csv *.xlsx *.txt)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="971"/>
        <source>Exportar la lista</source>
        <translation>Export the list</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="973"/>
        <location filename="../../desktop_app/gui/main_window.py" line="1011"/>
        <source>Excel (*.xlsx);;CSV (*.csv)</source>
        <translation>Excel (*.xlsx);;CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="984"/>
        <source>No se pudo exportar la lista.</source>
        <translation>The list could not be exported.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="987"/>
        <source>{n} documentos exportados a {path}</source>
        <translation>{n} documents exported to {path}</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1002"/>
        <source>Libro de ventas</source>
        <translation>Sales book</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1002"/>
        <source>Mes:</source>
        <translation>Month:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1009"/>
        <source>Guardar el libro de ventas</source>
        <translation>Save the sales book</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1023"/>
        <source>No se pudo escribir el libro de ventas.</source>
        <translation>The sales book could not be written.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1027"/>
        <source>Libro de ventas guardado en {path}</source>
        <translation>Sales book saved to {path}</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1038"/>
        <location filename="../../desktop_app/gui/main_window.py" line="1042"/>
        <location filename="../../desktop_app/gui/main_window.py" line="1046"/>
        <source>Intro</source>
        <translation>Enter</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1042"/>
        <source>Factura: campo siguiente</source>
        <translation>Invoice: next field</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1043"/>
        <source>Factura: nuevo ítem</source>
        <translation>Invoice: new item</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1044"/>
        <source>Factura: buscar cliente en la libreta</source>
        <translation>Invoice: find customer in the book</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1045"/>
        <source>Factura: guardar</source>
        <translation>Invoice: save</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1046"/>
        <source>Documentos: ver detalle</source>
        <translation>Documents: show detail</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1047"/>
        <source>Documentos: limpiar filtros</source>
        <translation>Documents: clear filters</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1058"/>
        <source>Acción</source>
        <translation>Action</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1058"/>
        <source>Teclas</source>
        <translation>Keys</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1068"/>
        <source>Cerrar</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1090"/>
        <source>Diagnóstico copiado: péguelo en su mensaje a soporte.</source>
        <translation>Diagnostics copied: paste them into your message to support.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1145"/>
        <source>Sin conexión con la base de datos compartida</source>
        <translation>No connection to the shared database</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1230"/>
        <source>Sistema de caja: {error}</source>
        <translation>POS system: {error}</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1279"/>
        <source>Enviando lote ({n} en cola)…</source>
        <translation>Sending lote ({n} queued)…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1292"/>
        <source>No envía: otra ventana de Lote envía</source>
        <translation>Not sending: another Lote window sends</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1295"/>
        <source>Otra instancia de Lote (PID {pid}) ya envía los documentos de esta carpeta de datos. Esta ventana guarda facturas; aquella las envía.</source>
        <translation>Another Lote instance (PID {pid}) already sends the documents of this data folder. This window saves invoices; that one sends them.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1304"/>
        <source>Conectando…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1306"/>
        <source>En línea</source>
        <translation>Online</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1308"/>
        <source>Sin conexión</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1317"/>
        <source>Las facturas se guardan igual y se enviarán solas al volver la conexión.</source>
        <translation>Invoices are saved anyway and will be sent by themselves when the connection returns.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1352"/>
        <source>Encolados: {queued} · Enviando: {sending} · Procesando: {processing}</source>
        <translation>Queued: {queued} · Sending: {sending} · Processing: {processing}</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1358"/>
        <source> · Verificando: {n}</source>
        <translation> · Verifying: {n}</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1361"/>
        <source>Requieren atención: {n} (Ctrl+Shift+R)</source>
        <translation>Need attention: {n} (Ctrl+Shift+R)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/main_window.py" line="1374"/>
        <source>Última sincronización: {when}</source>
        <translation>Last sync: {when}</translation>
    </message>
</context>
<context>
    <name>NumberingTab</name>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="480"/>
        <source>Pe&amp;rfil:</source>
        <translation>P&amp;rofile:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="487"/>
        <source>Lote asigna el número al guardar cada documento. Un número aprobado no se vuelve a usar; el de un documento rechazado se conserva al corregirlo y reenviarlo. Aquí puede adelantar el próximo número (por ejemplo, si emitió documentos con otro sistema), nunca retrocederlo.</source>
        <translation>Lote assigns the number when each document is saved. An approved number is never used again; a rejected document keeps its number when corrected and resent. Here you can move the next number forward (for example, if you issued documents with another system), never back.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="500"/>
        <source>Tipo de documento</source>
        <translation>Document type</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="501"/>
        <source>Establecimiento</source>
        <translation>Establishment</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="502"/>
        <source>Punto de expedición</source>
        <translation>Point of issue</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="503"/>
        <source>Último usado</source>
        <translation>Last used</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="504"/>
        <source>Próximo número</source>
        <translation>Next number</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="579"/>
        <source>Próximo número de {est}-{punto}: {n}.</source>
        <translation>Next number of {est}-{punto}: {n}.</translation>
    </message>
</context>
<context>
    <name>PeriodCard</name>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="121"/>
        <source>{n} documentos (aprobados y en camino)</source>
        <translation>{n} documents (approved and on their way)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="123"/>
        <source>1 documento (aprobado o en camino)</source>
        <translation>1 document (approved or on its way)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="130"/>
        <source>Tasa</source>
        <translation>Rate</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="130"/>
        <source>Gravada</source>
        <translation>Taxable</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="130"/>
        <source>IVA</source>
        <translation>VAT</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="130"/>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="148"/>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="140"/>
        <source>Exentas</source>
        <translation>Exempt</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/dashboard_page.py" line="142"/>
        <source>IVA {rate} %</source>
        <translation>VAT {rate} %</translation>
    </message>
</context>
<context>
    <name>ProductCompleter</name>
    <message>
        <location filename="../../desktop_app/gui/pickers.py" line="104"/>
        <source>IVA {rate} %</source>
        <extracomment>The text a pick writes into the line edit it was opened from. The picked row (a detached Customer or Product).</extracomment>
        <translation>VAT {rate} %</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/pickers.py" line="106"/>
        <source>Exenta</source>
        <translation>Exempt</translation>
    </message>
</context>
<context>
    <name>ProductDialog</name>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="734"/>
        <source>Producto</source>
        <translation>Product</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="734"/>
        <source>Nuevo producto</source>
        <translation>New product</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="741"/>
        <source>&amp;Código:</source>
        <translation>&amp;Code:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="746"/>
        <source>&amp;Descripción:</source>
        <translation>&amp;Description:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="753"/>
        <source>Con IVA incluido, p. ej. 150.000</source>
        <translation>VAT included, e.g. 150.000</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="755"/>
        <source>&amp;Precio:</source>
        <translation>&amp;Price:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="759"/>
        <source>Exenta</source>
        <translation>Exempt</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="762"/>
        <source>&amp;IVA:</source>
        <translation>&amp;VAT:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="768"/>
        <source>Guardar</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="772"/>
        <source>Cancelar</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="796"/>
        <source>Escriba el precio.</source>
        <translation>Type the price.</translation>
    </message>
</context>
<context>
    <name>ProductsModel</name>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="167"/>
        <source>Código</source>
        <translation>Code</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="168"/>
        <source>Descripción</source>
        <translation>Description</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="169"/>
        <source>Último precio</source>
        <translation>Last price</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="170"/>
        <source>IVA</source>
        <translation>VAT</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="187"/>
        <source>Exenta</source>
        <translation>Exempt</translation>
    </message>
</context>
<context>
    <name>ProductsPage</name>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="495"/>
        <source>Código o descripción (Ctrl+F)</source>
        <translation>Code or description (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/books_pages.py" line="498"/>
        <source>Columnas: descripcion, precio (IVA incluido), iva (10, 5 o exenta), codigo</source>
        <translation>Columns: descripcion, precio (VAT included), iva (10, 5 or exenta), codigo</translation>
    </message>
</context>
<context>
    <name>ProfilesTab</name>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="105"/>
        <source>Nuevo perfil</source>
        <translation>New profile</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="108"/>
        <source>Nuevo perfil (Ctrl+Shift+N)</source>
        <translation>New profile (Ctrl+Shift+N)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="110"/>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="452"/>
        <source>Eliminar perfil</source>
        <translation>Delete profile</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="122"/>
        <source>&amp;Nombre:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="131"/>
        <source>&amp;Proveedor:</source>
        <translation>&amp;Provider:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="137"/>
        <source>&amp;URL del servicio:</source>
        <translation>Service &amp;URL:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="142"/>
        <source>Identificador de la cuenta, si el proveedor lo pide</source>
        <translation>Account identifier, if the provider asks for one</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="144"/>
        <source>C&amp;uenta (tenant):</source>
        <translation>Acco&amp;unt (tenant):</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="152"/>
        <source>Clave &amp;API:</source>
        <translation>&amp;API key:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="160"/>
        <source>RUC del &amp;emisor:</source>
        <translation>&amp;Issuer&apos;s RUC:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="164"/>
        <source>&amp;Razón social del emisor:</source>
        <translation>Issuer&apos;s &amp;legal name:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="166"/>
        <source>Persona física</source>
        <translation>Individual</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="167"/>
        <source>Persona jurídica</source>
        <translation>Company</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="168"/>
        <source>Tipo de contribuyente:</source>
        <translation>Taxpayer type:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="177"/>
        <source>Establecimiento</source>
        <translation>Establishment</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="179"/>
        <source>Punto de expedición</source>
        <translation>Point of issue</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="185"/>
        <source>Emisión:</source>
        <translation>Issuing:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="189"/>
        <source>Documentos por &amp;lote:</source>
        <translation>Documents per &amp;lote:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="194"/>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="200"/>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="195"/>
        <source>Primera consulta tras enviar:</source>
        <translation>First check after sending:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="201"/>
        <source>&amp;Consultar resultados cada:</source>
        <translation>&amp;Check results every:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="205"/>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="207"/>
        <source>Pasado este tiempo sin resultado, el documento se marca «Requiere atención».</source>
        <translation>After this time without a result, the document is flagged “Needs attention”.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="209"/>
        <source>Esperar un resultado hasta:</source>
        <translation>Wait for a result up to:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="210"/>
        <source>Perfil predeterminado para facturar</source>
        <translation>Default profile for invoicing</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="215"/>
        <source>Perfil de demostración: envía a un simulador local. Agregue un perfil real para facturar ante la SET.</source>
        <translation>Demo profile: it sends to a local simulator. Add a real profile to invoice with the tax authority.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="222"/>
        <source>Guardar perfil</source>
        <translation>Save profile</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="225"/>
        <source>Guardar perfil (Ctrl+S)</source>
        <translation>Save profile (Ctrl+S)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="252"/>
        <source> (predeterminado)</source>
        <translation> (default)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="306"/>
        <source>El perfil de demostración usa la clave pública del simulador.</source>
        <translation>The demo profile uses the simulator&apos;s public key.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="309"/>
        <source>Hay una clave guardada en el llavero del sistema. Escriba otra para reemplazarla.</source>
        <translation>A key is stored in the system keyring. Type another one to replace it.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="313"/>
        <source>Sin clave guardada. Se guarda solo en el llavero del sistema, nunca en un archivo.</source>
        <translation>No key stored. It is kept only in the system keyring, never in a file.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="357"/>
        <source>Escriba un nombre para el perfil.</source>
        <translation>Type a name for the profile.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="360"/>
        <source>Ya existe un perfil con ese nombre.</source>
        <translation>A profile with that name already exists.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="366"/>
        <source>La URL debe empezar con https:// (o http://).</source>
        <translation>The URL must start with https:// (or http://).</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="383"/>
        <source>Establecimiento y punto de expedición llevan 3 dígitos, de 001 a 999.</source>
        <translation>Establishment and point of issue have 3 digits, 001 to 999.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="418"/>
        <source>Perfil guardado.</source>
        <translation>Profile saved.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="424"/>
        <source>Perfil guardado; la clave quedó en el llavero del sistema.</source>
        <translation>Profile saved; the key is in the system keyring.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="425"/>
        <source>Perfil guardado; la clave quedó en el archivo cifrado.</source>
        <translation>Profile saved; the key is in the encrypted file.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="426"/>
        <source>Perfil guardado; la clave se usará solo en esta sesión.</source>
        <translation>Profile saved; the key will be used for this session only.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="433"/>
        <source>Perfil guardado, pero sin clave: {error}</source>
        <translation>Profile saved, but without a key: {error}</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="453"/>
        <source>¿Eliminar el perfil «{name}»? Solo se puede si no tiene documentos.</source>
        <translation>Delete profile “{name}”? Only possible if it has no documents.</translation>
    </message>
</context>
<context>
    <name>RejectionNotifier</name>
    <message>
        <location filename="../../desktop_app/gui/notifier.py" line="66"/>
        <source>Documento rechazado</source>
        <extracomment>The last notification (title, message), for the status bar and tests.</extracomment>
        <translation>Document rejected</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/notifier.py" line="69"/>
        <source>{numero} ({cliente}): {motivo}</source>
        <translation>{numero} ({cliente}): {motivo}</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/notifier.py" line="73"/>
        <source>1 documento rechazado</source>
        <translation>1 document rejected</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/notifier.py" line="75"/>
        <source>Documentos rechazados</source>
        <translation>Documents rejected</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/notifier.py" line="77"/>
        <source>{n} documentos rechazados. Ábralos en Lote para corregirlos y reenviarlos.</source>
        <translation>{n} documents rejected. Open them in Lote to correct and resend them.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="719"/>
        <source>Configuración</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="726"/>
        <source>&amp;Perfiles de proveedor</source>
        <extracomment>After &quot;Aceptar&quot;: the language setting changed (applies at the next start).</extracomment>
        <translation>&amp;Provider profiles</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="727"/>
        <source>&amp;Numeración</source>
        <translation>&amp;Numbering</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="731"/>
        <source>&amp;General</source>
        <translation>&amp;General</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="733"/>
        <source>Sistema de caja</source>
        <translation>POS system</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="740"/>
        <source>Aceptar</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/settings_dialog.py" line="741"/>
        <source>Cerrar</source>
        <translation>Close</translation>
    </message>
</context>
<context>
    <name>SyncWorkers</name>
    <message>
        <location filename="../../desktop_app/gui/workers.py" line="119"/>
        <source>No se pudo sincronizar por un error inesperado; se reintentará en unos segundos.</source>
        <extracomment>How often a worker looks at its clock. While nothing is due, ask the database again at most this often (a document saved by another terminal, or a poll that came due, is noticed within this delay). After an unexpected error, wait this long before trying again. Name of the step for log lines. Seconds between looks at the database while nothing is due. Seconds to wait after an unexpected error before the next step.</extracomment>
        <translation>Could not sync because of an unexpected error; it will retry in a few seconds.</translation>
    </message>
</context>
<context>
    <name>TipoDocumento</name>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="135"/>
        <source>Factura electrónica</source>
        <extracomment>SIFEN C002 iTiDE (the other countries&apos; types are listed as &quot;Factura&quot;).</extracomment>
        <translation>Electronic invoice</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="136"/>
        <source>Autofactura electrónica</source>
        <translation>Electronic self-invoice</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="137"/>
        <source>Nota de crédito electrónica</source>
        <translation>Electronic credit note</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="138"/>
        <source>Nota de débito electrónica</source>
        <translation>Electronic debit note</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="139"/>
        <source>Nota de remisión electrónica</source>
        <translation>Electronic delivery note</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="145"/>
        <source>Factura</source>
        <translation>Invoice</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/labels.py" line="148"/>
        <source>Documento tipo {n}</source>
        <translation>Document type {n}</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <location filename="../../desktop_app/gui/notifier.py" line="91"/>
        <source>Mostrar Lote</source>
        <translation>Show Lote</translation>
    </message>
</context>
<context>
    <name>run_gui</name>
    <message>
        <location filename="../../desktop_app/gui/app.py" line="55"/>
        <source>No se pudo abrir la base de datos de Lote:
{error}</source>
        <translation>Lote&apos;s database could not be opened:
{error}</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/app.py" line="91"/>
        <source>Restaurar la copia más reciente</source>
        <translation>Restore the latest backup</translation>
    </message>
    <message>
        <location filename="../../desktop_app/gui/app.py" line="94"/>
        <source>Salir</source>
        <translation>Quit</translation>
    </message>
</context>
</TS>
